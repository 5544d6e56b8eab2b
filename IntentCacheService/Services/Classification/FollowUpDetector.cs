namespace IntentCacheService.Services.Classification;

/// <summary>
/// Decides whether an utterance leans on the thread before it ("and for part-timers?", "is that paid?", "why?").
/// Such an utterance means the earlier question plus a change, so its text alone names the wrong question: it must
/// neither hit an answer cached for its words nor have its answer stored under them.
/// <para>
/// Why refusal and not a context signature in the key: a hash of the earlier turns would make every thread its own
/// cache (no hits where caching pays: the same standalone question in many threads) and would still be wrong when two
/// threads differ in a way the hash ignores. Refusing costs one model call for a follow-up, never a wrong answer.
/// The rules err on the side of "dependent"; a false alarm is only a miss.
/// </para>
/// </summary>
public static class FollowUpDetector
{
    // Openers that continue the previous question rather than ask a new one.
    private static readonly HashSet<string> ContinuingOpeners = new(StringComparer.Ordinal)
    {
        "and", "but", "also", "plus", "or", "so", "then", "same", "otherwise", "instead",
    };

    private static readonly string[][] ContinuingPhrases =
    [
        ["what", "about"], ["how", "about"], ["what", "if"], ["and", "if"], ["what", "else"], ["why", "not"],
    ];

    // A question that starts with a preposition has lost its verb and subject to the turn before ("for part-timers?").
    private static readonly HashSet<string> FragmentOpeners = new(StringComparer.Ordinal)
    {
        "for", "in", "with", "without", "about", "during", "after", "before", "on", "at", "from", "to", "by", "under",
        "over", "per", "via",
    };

    // Words that point back at something said earlier.
    private static readonly HashSet<string> BackReferences = new(StringComparer.Ordinal)
    {
        "it", "its", "that", "this", "these", "those", "they", "them", "their", "theirs", "he", "she", "him", "her",
        "his", "hers", "same", "else", "former", "latter", "either", "neither", "too", "one", "ones", "such",
    };

    /// <summary>Null when the utterance stands on its own; otherwise why it does not.</summary>
    public static string? DependsOnThread(string text, IReadOnlyList<string>? context)
    {
        var words = TextFeatures.Words(text);
        if (words.Count == 0)
        {
            return "empty";
        }
        // Openers mark a follow-up even when the caller sent no context: the utterance itself says it continues.
        if (ContinuingOpeners.Contains(words[0]))
        {
            return $"starts with '{words[0]}'";
        }
        foreach (var phrase in ContinuingPhrases)
        {
            if (words.Count >= phrase.Length && phrase.Select((w, i) => words[i] == w).All(x => x))
            {
                return $"starts with '{string.Join(' ', phrase)}'";
            }
        }
        if (FragmentOpeners.Contains(words[0]))
        {
            return $"a fragment starting with '{words[0]}'";
        }

        var hasContext = context is { Count: > 0 } && context.Any(c => !string.IsNullOrWhiteSpace(c));
        if (!hasContext)
        {
            return null;
        }
        var reference = words.FirstOrDefault(BackReferences.Contains);
        if (reference is not null)
        {
            return $"refers back with '{reference}'";
        }
        // "why?", "how long?", "really?": too little of its own to be a question by itself after earlier turns.
        var contentWords = words.Count(w => !TextFeatures.IsFunctionWord(w));
        return contentWords < 2 ? "too short to stand alone" : null;
    }
}
