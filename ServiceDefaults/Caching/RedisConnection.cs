using StackExchange.Redis;

namespace ServiceDefaults.Caching;

/// <summary>
/// The one place that owns the StackExchange.Redis multiplexer. It connects in the background and keeps
/// reconnecting, so a service starts (and reports unhealthy) while Redis is down rather than failing to start.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public RedisConnection(string connectionString)
    {
        ConnectionString = connectionString;
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 2000);
        _multiplexer = new Lazy<ConnectionMultiplexer>(() =>
        {
            var multiplexer = ConnectionMultiplexer.Connect(options);
            // 1.x completes every async call in order on one thread by default; the rest of each request then runs
            // on that thread too, and a busy service is held to what one core can do.
            multiplexer.PreserveAsyncOrder = false;
            return multiplexer;
        });
    }

    public string ConnectionString { get; }

    public ConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public IDatabase Database => Multiplexer.GetDatabase();

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}
