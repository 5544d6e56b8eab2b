namespace ServiceDefaults.Caching;

/// <summary>
/// The small key/value surface services use. Redis when `ConnectionStrings:cache` is set, process memory otherwise
/// (good for one instance only).
/// </summary>
public interface IKeyValueStore
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken = default);

    Task SetAsync(string key, string value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);

    /// <summary>Returns true when the key existed.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Adds atomically and returns the new value; a key created by this call expires after <paramref name="timeToLive"/>.</summary>
    Task<long> IncrementAsync(string key, long by = 1, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);
}

/// <summary>Fire-and-forget events between services (Redis pub/sub, or in-process when Redis is not configured).</summary>
public interface IMessageBus
{
    Task PublishAsync(string channel, string message, CancellationToken cancellationToken = default);

    /// <summary>Calls <paramref name="handler"/> for each message until the returned handle is disposed.</summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler, CancellationToken cancellationToken = default);
}
