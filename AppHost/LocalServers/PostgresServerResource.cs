using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AppHost.LocalServers;

/// <summary>A local PostgreSQL cluster run as an executable; its databases are connection-string resources.</summary>
public sealed class PostgresServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory)
{
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringFor(string database) =>
        ReferenceExpression.Create(
            $"Host={Endpoint.Property(EndpointProperty.IPV4Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Database={database}");
}

public static class PostgresServerExtensions
{
    /// <summary>
    /// The cluster under <paramref name="dataDirectory"/>/postgres, created on first start. PostgreSQL refuses to run
    /// as root, so as root it runs as the postgres user (setpriv execs in place, so the stop signal reaches it).
    /// </summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgresServer(
        this IDistributedApplicationBuilder builder, string name, string binDirectory, string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "postgres");
        // The manifest describes the server itself, whoever publishes it.
        var asRoot = builder.ExecutionContext.IsRunMode && Environment.UserName == "root";
        var runAs = asRoot ? new[] { "--reuid=postgres", "--regid=postgres", "--init-groups" } : [];
        var postgres = new PostgresServerResource(name, asRoot ? "setpriv" : Path.Combine(binDirectory, "postgres"), dataDirectory);
        var healthCheckKey = $"{name}_select";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, ct => SelectOneAsync(postgres, ct));

        var resource = builder.AddResource(postgres)
            .WithEndpoint(scheme: "tcp", name: "tcp", env: "PGPORT")
            .WithArgs(context =>
            {
                foreach (var argument in runAs)
                {
                    context.Args.Add(argument);
                }
                if (asRoot)
                {
                    context.Args.Add(Path.Combine(binDirectory, "postgres"));
                }
                context.Args.Add("-D");
                context.Args.Add(directory);
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=127.0.0.1");
                context.Args.Add("-p");
                context.Args.Add(postgres.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-k");
                context.Args.Add(directory);
            })
            .WithHealthCheck(healthCheckKey);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(postgres, async (_, ct) =>
        {
            Directory.CreateDirectory(directory);
            if (asRoot)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", directory], ct).ConfigureAwait(false);
            }
            if (!File.Exists(Path.Combine(directory, "PG_VERSION")))
            {
                string[] initdb = [Path.Combine(binDirectory, "initdb"), "-D", directory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"];
                await (asRoot ? RunAsync("setpriv", [.. runAs, .. initdb], ct) : RunAsync(initdb[0], initdb[1..], ct)).ConfigureAwait(false);
            }
        });
        return resource;
    }

    /// <summary>A database on <paramref name="server"/>, referenced as ConnectionStrings__{name}.</summary>
    public static IResourceBuilder<ConnectionStringResource> AddDatabase(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<PostgresServerResource> server) =>
        builder.AddConnectionString(name, server.Resource.ConnectionStringFor(name)).WithParentRelationship(server);

    private static async Task<HealthCheckResult> SelectOneAsync(PostgresServerResource postgres, CancellationToken cancellationToken)
    {
        try
        {
            var connectionString = await postgres.ConnectionStringFor("postgres").GetValueAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer yet", ex);
        }
    }

    private static async Task RunAsync(string command, string[] arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{command} failed ({process.ExitCode}): {await output.ConfigureAwait(false)}{await errors.ConfigureAwait(false)}");
        }
    }
}
