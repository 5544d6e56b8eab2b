using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.AI;
using ServiceDefaults.Identity;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ServiceDefaults.Caching;

namespace ChatService.Services;

/// <summary>
/// Answers intent-cache-service served, held briefly for the exact same question: same owner, assistant, knowledge
/// version and normalised text, asked with no earlier turns (the only case where the cache's verdict depends on the
/// text alone). An FAQ bot hears the same question over and over; this answers the repeat without a database read or
/// a sibling call. A change to the assistant, its intents, its knowledge or its cache drops its entries at once
/// (the platform's change channels, <see cref="CachedAnswerListener"/>); <see cref="ChatServiceOptions.CachedAnswerLifetime"/>
/// bounds staleness if such a message is lost. Hits answered here are still counted by intent-cache-service: they are
/// summed per caller and assistant and sent in one call a second (<see cref="CachedAnswerHitReporter"/>).
/// </summary>
public sealed class CachedAnswers(TimeProvider time, KnowledgeSnapshots snapshots, IOptions<ChatServiceOptions> options)
{
    private readonly ConcurrentDictionary<(string Owner, string Assistant, string Version, string Text), (CachedAnswer Answer, long Until)> _entries = new();
    private readonly ConcurrentDictionary<(string User, string? Key, string Assistant), HitTally> _hits = new();
    private long _generation;

    /// <summary>Taken before asking intent-cache-service; a change announced meanwhile makes its answer too old to keep.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>
    /// An exact repeat of a question answered from the cache a moment ago, asked of an assistant with no earlier turns:
    /// answered before the assistant is read or anyone else is asked. Null when anything is not already known here (the
    /// full way then decides, as if this did not exist).
    /// </summary>
    public ChatTurn? TryRepeat(CallerIdentity caller, string assistantId, IReadOnlyList<AIChatMessage> turns) =>
        turns is [{ } only] && only.Role == ChatRole.User && only.Text is { Length: > 0 } question
            && snapshots.TryGet(assistantId, out var snapshot)
            && TryGet(caller, assistantId, snapshot.Version, question, out var answer)
            ? ChatTurn.FromCache(answer)
            : null;

    public bool TryGet(CallerIdentity caller, string assistantId, string? knowledgeVersion, string question, [NotNullWhen(true)] out CachedAnswer? answer)
    {
        answer = null;
        if (!caller.CanUseAssistant(assistantId)
            || !_entries.TryGetValue((caller.UserId, assistantId, knowledgeVersion ?? "", QuestionText.Normalise(question)), out var entry)
            || time.GetTimestamp() >= entry.Until)
        {
            return false;
        }
        answer = entry.Answer;
        var tally = _hits.GetOrAdd((caller.UserId, caller.KeyId, assistantId), _ => new HitTally(caller));
        Interlocked.Increment(ref tally.Count);
        return true;
    }

    public void Remember(CallerIdentity caller, string assistantId, string? knowledgeVersion, string question, CachedAnswer answer, long askedAt)
    {
        var lifetime = options.Value.CachedAnswerLifetime;
        if (lifetime <= TimeSpan.Zero || askedAt != Generation)
        {
            return;
        }
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[(caller.UserId, assistantId, knowledgeVersion ?? "", QuestionText.Normalise(question))] =
            (answer, time.GetTimestamp() + (long)(lifetime.TotalSeconds * time.TimestampFrequency));
    }

    public void Forget(string assistantId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var key in _entries.Keys)
        {
            if (key.Assistant == assistantId)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>The hits answered here since the last call, per caller and assistant, taken out of the tally.</summary>
    public IReadOnlyList<(CallerIdentity Caller, string AssistantId, long Hits)> TakeHits()
    {
        var taken = new List<(CallerIdentity, string, long)>();
        foreach (var (key, tally) in _hits)
        {
            if (Interlocked.Exchange(ref tally.Count, 0) is var n and > 0)
            {
                taken.Add((tally.Caller, key.Assistant, n));
            }
        }
        return taken;
    }

    /// <summary>Hits that could not be reported go back into the tally for the next attempt.</summary>
    public void ReturnHits(CallerIdentity caller, string assistantId, long hits) =>
        Interlocked.Add(ref _hits.GetOrAdd((caller.UserId, caller.KeyId, assistantId), _ => new HitTally(caller)).Count, hits);

    // A bound, not a policy: past it everything is asked again, which is only what happens without this cache.
    private const int MaxEntries = 10_000;

    /// <summary>One caller's uncounted hits on one assistant, and that caller, whom the report speaks for.</summary>
    private sealed class HitTally(CallerIdentity caller)
    {
        public long Count;

        public CallerIdentity Caller { get; } = caller;
    }
}
