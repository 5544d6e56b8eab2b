namespace ServiceDefaults.Discovery;

/// <summary>
/// The sizes a service takes from its siblings (docs/contracts.md), read by the service that refuses past them and by
/// the one that calls it, so the caller never sends what is refused: a refusal read as an outage once took a sibling
/// out for everyone.
/// </summary>
public static class SiblingLimits
{
    /// <summary>document-service's longest search query (characters); the embedding reads less than that anyway.</summary>
    public const int MaxSearchQueryLength = 8000;

    /// <summary>intent-cache-service's longest question or example (characters): a longer one is no FAQ.</summary>
    public const int MaxCachedQuestionLength = 4000;

    /// <summary>intent-cache-service's longest answer (characters).</summary>
    public const int MaxCachedAnswerLength = 100_000;
}
