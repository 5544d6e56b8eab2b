using StackExchange.Redis;

namespace ServiceDefaults.Caching;

/// <summary>
/// The platform's handle on Redis: the multiplexer Aspire's AddRedisClient registers, under a type of our own so the
/// key/value store, the bus and the gateway's scripts ask for "Redis when configured" without colliding with (or
/// pretending to be) Aspire's IConnectionMultiplexer.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly bool _owned;

    public RedisConnection(IConnectionMultiplexer multiplexer)
    {
        Multiplexer = multiplexer;
    }

    /// <summary>A connection of its own, for tools and tests outside a host; it keeps reconnecting if Redis is down.</summary>
    public RedisConnection(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        Multiplexer = ConnectionMultiplexer.Connect(options);
        _owned = true;
    }

    public IConnectionMultiplexer Multiplexer { get; }

    public IDatabase Database => Multiplexer.GetDatabase();

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    public void Dispose()
    {
        if (_owned)
        {
            Multiplexer.Dispose();
        }
    }
}
