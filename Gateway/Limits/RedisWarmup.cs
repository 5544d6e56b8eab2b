using ServiceDefaults.Caching;

namespace Gateway.Limits;

/// <summary>
/// Connects to Redis before the gateway takes requests. The connection is made lazily and synchronously on first use,
/// so a burst of first requests would otherwise all block on it at once and starve the thread pool. Also lets async
/// completions run in parallel.
/// </summary>
public sealed partial class RedisWarmup(RedisConnection redis, ILogger<RedisWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await Task.Run(() => redis.Multiplexer, cancellationToken).ConfigureAwait(false);
        // StackExchange.Redis 1.x completes every async call in order on one thread by default; the rest of each
        // request then runs on that thread too, and the gateway's throughput collapses to what one core can do.
        multiplexer.PreserveAsyncOrder = false;
        if (!redis.Multiplexer.IsConnected)
        {
            // Not fatal: the multiplexer keeps reconnecting, and /health reports Redis as unhealthy meanwhile.
            LogNotConnected(logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not reachable yet; rate and token limits fail until it is")]
    private static partial void LogNotConnected(ILogger logger);
}
