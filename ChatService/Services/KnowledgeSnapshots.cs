using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ChatService.Services;

/// <summary>
/// Assistants' knowledge snapshots held briefly, so a busy assistant (above all one answered from the intent cache)
/// does not ask document-service for the same version on every question. document-service announces each change on
/// "knowledge-changed", which drops the assistant's snapshot at once; the lifetime bounds staleness where no shared
/// bus carries that announcement (no Redis, services in separate processes). Only answers are kept, never failures.
/// </summary>
public sealed class KnowledgeSnapshots(TimeProvider time, IOptions<ChatServiceOptions> options)
{
    private readonly ConcurrentDictionary<string, (KnowledgeSnapshot Snapshot, long Until)> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Taken before asking document-service; a change announced meanwhile makes the answer too old to keep.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string assistantId, out KnowledgeSnapshot snapshot)
    {
        if (_entries.TryGetValue(assistantId, out var entry) && time.GetTimestamp() < entry.Until)
        {
            snapshot = entry.Snapshot;
            return true;
        }
        snapshot = KnowledgeSnapshot.None;
        return false;
    }

    public void Remember(string assistantId, KnowledgeSnapshot snapshot, long askedAt)
    {
        var lifetime = options.Value.KnowledgeLifetime;
        if (lifetime > TimeSpan.Zero && snapshot.Version is not null && askedAt == Generation)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
            _entries[assistantId] = (snapshot, time.GetTimestamp() + (long)(lifetime.TotalSeconds * time.TimestampFrequency));
        }
    }

    public void Forget(string assistantId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(assistantId, out _);
    }

    // A bound, not a policy: past it everything is asked again, which is only what happens without this cache.
    private const int MaxEntries = 10_000;
}
