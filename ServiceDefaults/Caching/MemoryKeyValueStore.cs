using System.Collections.Concurrent;

namespace ServiceDefaults.Caching;

/// <summary>The embedded default: process memory, with expiry checked on read and swept now and then.</summary>
public sealed class MemoryKeyValueStore(TimeProvider time) : IKeyValueStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _writes;

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(TryGetLive(key, out var entry) ? entry.Value : null);

    public Task SetAsync(string key, string value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        _entries[key] = new Entry(value, ExpiryFor(timeToLive));
        SweepNowAndThen();
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.TryRemove(key, out var entry) && !IsExpired(entry));

    public Task<long> IncrementAsync(string key, long by = 1, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var updated = _entries.AddOrUpdate(
            key,
            _ => new Entry(by.ToString(System.Globalization.CultureInfo.InvariantCulture), ExpiryFor(timeToLive)),
            (_, old) => IsExpired(old)
                ? new Entry(by.ToString(System.Globalization.CultureInfo.InvariantCulture), ExpiryFor(timeToLive))
                : old with { Value = (long.Parse(old.Value, System.Globalization.CultureInfo.InvariantCulture) + by).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        SweepNowAndThen();
        return Task.FromResult(long.Parse(updated.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private bool TryGetLive(string key, out Entry entry)
    {
        if (_entries.TryGetValue(key, out entry!) && !IsExpired(entry))
        {
            return true;
        }
        return false;
    }

    private DateTimeOffset? ExpiryFor(TimeSpan? ttl) => ttl is { } t ? time.GetUtcNow() + t : null;

    private bool IsExpired(Entry entry) => entry.ExpiresAt is { } at && at <= time.GetUtcNow();

    private void SweepNowAndThen()
    {
        if (Interlocked.Increment(ref _writes) % 1024 != 0)
        {
            return;
        }
        foreach (var (key, entry) in _entries)
        {
            if (IsExpired(entry))
            {
                _entries.TryRemove(KeyValuePair.Create(key, entry));
            }
        }
    }

    private sealed record Entry(string Value, DateTimeOffset? ExpiresAt);
}
