using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// A short-lived copy, in this process, of what Redis says: each assistant's generation and the entries read under
/// it, so a repeated cached answer costs no round trip. It only ever shortens the way to an answer Redis holds:
/// <list type="bullet">
/// <item>the knowledge version is part of every key, so new documents miss at once, near cache or not;</item>
/// <item>a change made through this instance (flush, feedback, new intents, an event) drops its copies before it
/// returns; other instances drop theirs when the "intent-cache-flushed"/"intent-cache-evicted" message reaches them
/// (pub/sub, milliseconds), and a lost message is bounded by <see cref="IntentCacheOptions.NearCacheDuration"/>;</item>
/// <item>a generation read from Redis is kept only if no drop for that assistant happened while it was being read
/// (an epoch per assistant), so a flush cannot be undone by a read that started before it.</item>
/// </list>
/// </summary>
public sealed class NearCache(IOptions<IntentCacheOptions> options, TimeProvider time)
{
    private const int MaxEntries = 20_000;

    private readonly ConcurrentDictionary<string, (long Generation, long Until)> _generations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _epochs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Json, long Until)> _entries = new(StringComparer.Ordinal);

    public bool Enabled { get; set; } = options.Value.NearCacheDuration > TimeSpan.Zero;

    public long Epoch(string assistantId) => _epochs.GetValueOrDefault(assistantId);

    public bool TryGetGeneration(string assistantId, out long generation)
    {
        if (_generations.TryGetValue(assistantId, out var held) && held.Until > time.GetTimestamp())
        {
            generation = held.Generation;
            return true;
        }
        generation = 0;
        return false;
    }

    public void SetGeneration(string assistantId, long generation, long epochWhenRead)
    {
        _generations[assistantId] = (generation, Until(options.Value.NearCacheDuration));
        if (Epoch(assistantId) != epochWhenRead)
        {
            _generations.TryRemove(assistantId, out _); // A drop happened meanwhile: what was read may be stale.
        }
    }

    public bool TryGetEntry(string key, out string json)
    {
        if (_entries.TryGetValue(key, out var held) && held.Until > time.GetTimestamp())
        {
            json = held.Json;
            return true;
        }
        json = "";
        return false;
    }

    /// <summary>Keeps an entry for the near-cache duration (the reader still checks the entry's own expiry).</summary>
    public void SetEntry(string key, string json)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[key] = (json, Until(options.Value.NearCacheDuration));
    }

    public void DropEntry(string key) => _entries.TryRemove(key, out _);

    /// <summary>Forgets the assistant's generation and every entry of it.</summary>
    public void DropAssistant(string assistantId)
    {
        _epochs.AddOrUpdate(assistantId, 1, (_, e) => e + 1);
        _generations.TryRemove(assistantId, out _);
        var prefix = CacheKeys.EntryPrefix(assistantId);
        foreach (var key in _entries.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private long Until(TimeSpan duration) => time.GetTimestamp() + (long)(duration.TotalSeconds * time.TimestampFrequency);
}
