using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServiceDefaults.Caching;

/// <summary>
/// Connects to Redis before the service takes requests: the first connection is made synchronously, and a burst of
/// first requests would otherwise all block on it and starve the thread pool.
/// </summary>
internal sealed partial class RedisWarmup(RedisConnection redis, ILogger<RedisWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await Task.Run(() => redis.Multiplexer, cancellationToken).ConfigureAwait(false);
        if (!multiplexer.IsConnected)
        {
            // Not fatal: the multiplexer keeps reconnecting, and /health reports Redis unhealthy meanwhile.
            LogNotConnected(logger, redis.ConnectionString);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Address} is not reachable yet; retrying in the background")]
    private static partial void LogNotConnected(ILogger logger, string address);
}
