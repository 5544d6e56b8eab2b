using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AppHost.LocalServers;

/// <summary>
/// redis-server run as a local executable (no container runtime here): the resource other resources reference as
/// ConnectionStrings__{name} = host:port.
/// </summary>
public sealed class RedisServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.IPV4Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}

public static class RedisServerExtensions
{
    /// <summary>
    /// Redis with its data under <paramref name="dataDirectory"/>/redis, persisted on every write (append-only file).
    /// </summary>
    public static IResourceBuilder<RedisServerResource> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, string command, string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "redis");
        var redis = new RedisServerResource(name, command, directory);
        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, ct => PingAsync(redis.Endpoint, ct));
        if (builder.ExecutionContext.IsRunMode)
        {
            Directory.CreateDirectory(directory);
        }

        return builder.AddResource(redis)
            // DCP picks the port redis-server listens on and hands it over in the arguments.
            .WithEndpoint(scheme: "tcp", name: "tcp", env: "REDIS_PORT")
            .WithArgs(context =>
            {
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(redis.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--dir");
                context.Args.Add(directory);
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--daemonize");
                context.Args.Add("no");
            })
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>A PING over a socket: enough to know Redis answers, with no client library in the AppHost.</summary>
    private static async Task<HealthCheckResult> PingAsync(EndpointReference endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", endpoint.Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.AsSpan(0, read).StartsWith("+PONG"u8)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("redis-server did not answer PING");
        }
        catch (SocketException ex)
        {
            return HealthCheckResult.Unhealthy("redis-server is not reachable", ex);
        }
    }
}
