namespace IntentCacheService.Model;

public sealed record PutIntentsRequest(IReadOnlyList<IntentDefinition>? Intents, double? Threshold);

public sealed record TrainingStatistics(
    int Intents, int Examples, string EmbeddingModel, double LeaveOneOutAccuracy, string Provider, long TrainedAt);

public sealed record IntentSetResponse(
    string AssistantId, double Threshold, bool ThresholdIsDefault, int Revision, IReadOnlyList<IntentDefinition> Intents,
    TrainingStatistics Training);

public sealed record ClassifyRequest(string? Text);

public sealed record ScoredIntent(string Intent, double Confidence);

public sealed record ClassifyResponse(
    string? Intent, double Confidence, bool OutOfScope, double Threshold, IReadOnlyList<ScoredIntent> Alternatives);

/// <summary>docs/contracts.md: the lookup chat-service makes before calling the model.</summary>
/// <summary>Hits chat-service answered from its own copy of served answers, for the statistics.</summary>
public sealed record HitsRequest(string? AssistantId, long Hits);

public sealed record LookupRequest(string? AssistantId, string? Text, IReadOnlyList<string>? Context, string? KnowledgeVersion);

/// <summary>
/// docs/contracts.md's answer, plus <see cref="Reason"/>, which says why a lookup missed (no_intents, out_of_scope,
/// context_dependent, not_cacheable, no_entry) or how it hit (cached, fixed_answer).
/// </summary>
public sealed record LookupResponse(bool Hit, string? Answer, string? Intent, double Confidence, string? EntryId, string Reason);

/// <summary>docs/contracts.md: what chat-service stores after the model answered.</summary>
public sealed record StoreRequest(
    string? AssistantId, string? Text, IReadOnlyList<string>? Context, string? KnowledgeVersion, string? Answer);

public sealed record FeedbackRequest(string? EntryId, string? Reason);

public sealed record FeedbackResponse(string EntryId, bool Evicted);

/// <summary>
/// <see cref="FalseHitRate"/>: reported false hits (a cached answer served for a question of another intent, as told
/// through /api/intent-cache/feedback) per hit.
/// </summary>
public sealed record AssistantCacheStats(
    string AssistantId, long Lookups, long Hits, long Misses, long Stores, double HitRate, long FalseHitsReported, double FalseHitRate);

public sealed record CacheTotals(
    long Lookups, long Hits, long Misses, long Stores, double HitRate, long FalseHitsReported, double FalseHitRate);

public sealed record CacheStatsResponse(IReadOnlyList<AssistantCacheStats> Data, CacheTotals Totals);
