using System.Text.Json;
using IntentCacheService.Model;
using IntentCacheService.Services.Classification;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Json;
using ServiceDefaults.Access;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// The answer cache. A lookup hits only when every one of these holds: the utterance stands on its own (not a
/// follow-up), it is classified as one of the assistant's intents at or above the threshold and at or above the
/// cache's own, stricter serve threshold (<see cref="IntentCacheOptions.ServeThreshold"/>), that intent is
/// cacheable, and an entry exists for (assistant, generation, owner, intent, knowledge version). Stores pass the
/// same gates, so an answer is never written under words that did not ask for it.
/// </summary>
public sealed class AnswerCache(
    EntryStore entries,
    IntentCatalog catalog,
    IIntentClassifier classifier,
    AssistantAccess access,
    CacheStatistics statistics,
    IOptions<IntentCacheOptions> options,
    TimeProvider time)
{
    public async Task<LookupResponse> LookupAsync(CallerIdentity caller, LookupRequest request, CancellationToken cancellationToken)
    {
        var (assistantId, text, knowledgeVersion) = Validate(request.AssistantId, request.Text, request.Context, request.KnowledgeVersion);
        await access.EnsureAsync(caller, assistantId, cancellationToken).ConfigureAwait(false);

        var gate = await PassGatesAsync(assistantId, text, request.Context, cancellationToken).ConfigureAwait(false);
        LookupResponse response;
        if (gate.Refusal is { } refusal)
        {
            response = new LookupResponse(false, null, gate.Intent, gate.Confidence, null, refusal);
        }
        else if (gate.Definition!.Answer is { } fixedAnswer)
        {
            response = new LookupResponse(
                true, fixedAnswer, gate.Intent, gate.Confidence, CacheKeys.EntryId(assistantId, gate.Intent!, "*", "fixed"), "fixed_answer");
        }
        else
        {
            var json = await entries.GetAsync(CacheKeys.Entry(assistantId, caller.UserId, gate.Intent!, knowledgeVersion), cancellationToken)
                .ConfigureAwait(false);
            var entry = json is null ? null : JsonSerializer.Deserialize<CachedAnswer>(json, JsonDefaults.Options);
            if (entry is not null && entry.CreatedAt + (long)options.Value.EntryTimeToLive.TotalSeconds < time.GetUtcNow().ToUnixTimeSeconds())
            {
                entry = null; // Past its TTL (a near-cached copy can outlive Redis's by a moment).
            }
            response = entry is null
                ? new LookupResponse(false, null, gate.Intent, gate.Confidence, null, "no_entry")
                : !QuestionDetails.Match(text, entry.Question)
                ? new LookupResponse(false, null, gate.Intent, gate.Confidence, null, "different_details")
                : new LookupResponse(
                    true, entry.Answer, gate.Intent, gate.Confidence,
                    CacheKeys.EntryId(assistantId, gate.Intent!, knowledgeVersion, entry.Nonce), "cached");
        }

        statistics.Count(caller.UserId, assistantId, CacheStatistics.Lookups);
        statistics.Count(caller.UserId, assistantId, response.Hit ? CacheStatistics.Hits : CacheStatistics.Misses);
        return response;
    }

    /// <summary>Stores a model answer when the same gates a lookup passes allow it; returns whether it was stored.</summary>
    public async Task<bool> StoreAsync(CallerIdentity caller, StoreRequest request, CancellationToken cancellationToken)
    {
        var (assistantId, text, knowledgeVersion) = Validate(request.AssistantId, request.Text, request.Context, request.KnowledgeVersion);
        if (string.IsNullOrWhiteSpace(request.Answer))
        {
            throw Bad("answer is required.");
        }
        if (request.Answer.Length > IntentRules.MaxAnswerLength)
        {
            throw Bad($"answer is longer than {IntentRules.MaxAnswerLength} characters.");
        }
        await access.EnsureAsync(caller, assistantId, cancellationToken).ConfigureAwait(false);

        var gate = await PassGatesAsync(assistantId, text, request.Context, cancellationToken).ConfigureAwait(false);
        if (gate.Refusal is not null || gate.Definition!.Answer is not null)
        {
            return false; // Nothing to store: refused, or the intent answers with its fixed answer anyway.
        }
        // Written under the generation current at the moment of writing (one script on Redis): an invalidation either
        // came before, and this is a fresh answer, or comes after and drops it. A stale answer cannot slip past one.
        var entry = new CachedAnswer(
            Guid.NewGuid().ToString("N")[..16], request.Answer, text, gate.Intent!, time.GetUtcNow().ToUnixTimeSeconds());
        await entries.SetAsync(
            CacheKeys.Entry(assistantId, caller.UserId, gate.Intent!, knowledgeVersion),
            JsonSerializer.Serialize(entry, JsonDefaults.Options), options.Value.EntryTimeToLive, cancellationToken).ConfigureAwait(false);
        statistics.Count(caller.UserId, assistantId, CacheStatistics.Stores);
        return true;
    }

    /// <summary>A served answer was wrong: count it and evict the entry (only that entry, not a newer one under the same key).</summary>
    public async Task<FeedbackResponse> ReportWrongAsync(CallerIdentity caller, FeedbackRequest request, CancellationToken cancellationToken)
    {
        if (!CacheKeys.TryParseEntryId(request.EntryId, out var parts) || !IntentRules.IsSafeName(parts.AssistantId))
        {
            throw Bad("entry_id is not an id this service handed out.");
        }
        await access.EnsureAsync(caller, parts.AssistantId, cancellationToken).ConfigureAwait(false);
        statistics.Count(caller.UserId, parts.AssistantId, CacheStatistics.FalseHits);
        if (parts.Nonce == "fixed")
        {
            return new FeedbackResponse(request.EntryId!, false); // A fixed answer is the intent's own: change the intent.
        }
        var evicted = await entries.DeleteIfAsync(
            CacheKeys.Entry(parts.AssistantId, caller.UserId, parts.Intent, parts.KnowledgeVersion),
            json => JsonSerializer.Deserialize<CachedAnswer>(json, JsonDefaults.Options)?.Nonce == parts.Nonce,
            cancellationToken).ConfigureAwait(false);
        return new FeedbackResponse(request.EntryId!, evicted);
    }

    /// <summary>Drops every entry of an assistant, for every owner, in every instance (one atomic INCR).</summary>
    public Task InvalidateAsync(string assistantId, CancellationToken cancellationToken = default) =>
        entries.InvalidateAsync(assistantId, tellOthers: true, cancellationToken);

    /// <summary>Deletes an assistant's entries and the owner's statistics for it: the assistant is being deleted.</summary>
    public async Task PurgeAsync(string assistantId, string ownerId, CancellationToken cancellationToken = default)
    {
        await entries.PurgeAsync(assistantId, cancellationToken).ConfigureAwait(false);
        await statistics.DeleteAsync(ownerId, assistantId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops the assistant's entries on a platform event every instance receives itself ("knowledge-changed",
    /// "assistant-changed"). document-service announces vector stores (`vs_` ids) on the same channel, but entries live
    /// only under assistant ids (AssistantAccess refuses any other), so there is nothing to drop, and an INCR would
    /// leave a generation key with no expiry behind every store.
    /// </summary>
    public Task InvalidateOnEventAsync(string assistantId) =>
        AssistantAccess.IsAssistantId(assistantId) ? entries.InvalidateAsync(assistantId, tellOthers: false) : Task.CompletedTask;

    public async Task<IntentClassification> ClassifyAsync(TrainedIntentSet set, string text, CancellationToken cancellationToken) =>
        await classifier.ClassifyAsync(set, text, cancellationToken).ConfigureAwait(false);

    private async Task<Gate> PassGatesAsync(string assistantId, string text, IReadOnlyList<string>? context, CancellationToken cancellationToken)
    {
        var set = await catalog.GetAsync(assistantId, cancellationToken).ConfigureAwait(false);
        if (set is null)
        {
            return new Gate("no_intents", null, 0, null);
        }
        var key = TrainedIntentSet.Normalise(text);
        if (!set.Memo.TryGetValue(key, out var memo))
        {
            var classified = await classifier.ClassifyAsync(set, text, cancellationToken).ConfigureAwait(false);
            memo = new MemoizedGate(
                classified,
                FollowUpDetector.DependsOnThread(text, ["earlier turn"]) is not null,
                FollowUpDetector.DependsOnThread(text, null) is not null);
            if (set.Memo.Count >= MaxMemo)
            {
                set.Memo.Clear();
            }
            set.Memo[key] = memo;
        }
        var classification = memo.Classification;
        if (classification.OutOfScope)
        {
            return new Gate("out_of_scope", null, classification.Confidence, null);
        }
        if (classification.Confidence < Math.Max(set.Threshold, options.Value.ServeThreshold))
        {
            // Recognised, but not surely enough to hand out (or write) an answer under it.
            return new Gate("low_confidence", classification.Intent, classification.Confidence, null);
        }
        var hasContext = context is { Count: > 0 } && context.Any(c => !string.IsNullOrWhiteSpace(c));
        if (hasContext ? memo.DependentWithContext : memo.DependentAlone)
        {
            return new Gate("context_dependent", classification.Intent, classification.Confidence, null);
        }
        var definition = set.ByName[classification.Intent!];
        if (definition is { Cacheable: false, Answer: null })
        {
            return new Gate("not_cacheable", classification.Intent, classification.Confidence, null);
        }
        return new Gate(null, classification.Intent, classification.Confidence, definition);
    }

    private static (string AssistantId, string Text, string KnowledgeVersion) Validate(
        string? assistantId, string? text, IReadOnlyList<string>? context, string? knowledgeVersion)
    {
        if (!IntentRules.IsSafeName(assistantId))
        {
            throw Bad("assistant_id is required (letters, digits, '_', '-', '.').");
        }
        if (string.IsNullOrWhiteSpace(text) || text.Length > IntentRules.MaxTextLength)
        {
            throw Bad($"text is required and at most {IntentRules.MaxTextLength} characters.");
        }
        if (context is { Count: > IntentRules.MaxContextTurns })
        {
            throw Bad($"context holds at most {IntentRules.MaxContextTurns} turns.");
        }
        if (knowledgeVersion is { Length: > IntentRules.MaxKnowledgeVersionLength })
        {
            throw Bad($"knowledge_version is at most {IntentRules.MaxKnowledgeVersionLength} characters.");
        }
        // An assistant without documents has no version; that is a version of its own.
        return (assistantId!, text.Trim(), string.IsNullOrEmpty(knowledgeVersion) ? "none" : knowledgeVersion);
    }

    private const int MaxMemo = 10_000;

    private static ApiException Bad(string message) => new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_request");

    private sealed record Gate(string? Refusal, string? Intent, double Confidence, IntentDefinition? Definition);

    private sealed record CachedAnswer(string Nonce, string Answer, string Question, string Intent, long CreatedAt);
}
