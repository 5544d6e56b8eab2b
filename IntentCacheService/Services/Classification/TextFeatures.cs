using System.Text;

namespace IntentCacheService.Services.Classification;

/// <summary>
/// Turns an utterance into the terms the classifier weighs: stemmed content words (function words carry no intent)
/// plus character trigrams of each word, so that "reimbursed", "reimbursement" and a typo still share most of their
/// evidence without any language resource the machine lacks.
/// </summary>
public static class TextFeatures
{
    /// <summary>Trigram evidence counts for less than a whole word: a shared word is stronger than shared spelling.</summary>
    public const double TrigramWeight = 0.35;

    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "is", "are", "am", "was", "were", "be", "been", "being", "i", "me", "my", "mine", "we", "us",
        "our", "you", "your", "to", "of", "do", "does", "did", "can", "could", "would", "should", "will", "shall", "may",
        "might", "must", "please", "hi", "hello", "hey", "there", "im", "ive", "id", "its", "it", "this", "that", "these",
        "those", "and", "or", "but", "so", "for", "on", "in", "at", "by", "with", "about", "as", "if", "any", "some",
        "tell", "know", "want", "like", "need", "get", "got", "have", "has", "had", "just", "also", "then", "than",
        "thanks", "thank", "ok", "okay", "what", "whats", "which", "who", "how", "hows", "when", "where", "why",
    };

    /// <summary>Lower-cased word tokens (letters and digits; apostrophes dropped so "don't" is "dont").</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch))
            {
                current.Append(char.ToLowerInvariant(ch));
            }
            else if (ch is '\'' or '\u2019' && current.Length > 0)
            {
                // Keep "don't" as one word.
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }
        return words;
    }

    public static bool IsFunctionWord(string word) => FunctionWords.Contains(word);

    /// <summary>The weighted terms of an utterance, before IDF: word stems weigh 1, trigrams <see cref="TrigramWeight"/>.</summary>
    public static Dictionary<string, double> Terms(string text)
    {
        var terms = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var word in Words(text))
        {
            if (FunctionWords.Contains(word))
            {
                continue;
            }
            var stem = Stem(word);
            Add(terms, "w:" + stem, 1.0);
            var padded = "<" + stem + ">";
            for (var i = 0; i + 3 <= padded.Length; i++)
            {
                Add(terms, "c:" + padded.Substring(i, 3), TrigramWeight);
            }
        }
        return terms;
    }

    /// <summary>A deliberately small suffix stripper: enough to join plural, past and -ing forms of one word.</summary>
    public static string Stem(string word)
    {
        if (word.Length <= 3 || word.Any(char.IsDigit))
        {
            return word;
        }
        string[] suffixes = ["ments", "ment", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s"];
        var stem = word;
        foreach (var suffix in suffixes)
        {
            if (!word.EndsWith(suffix, StringComparison.Ordinal) || word.Length - suffix.Length < 3)
            {
                continue;
            }
            var root = word[..^suffix.Length];
            if (suffix == "es" && !(root.EndsWith('s') || root.EndsWith('x') || root.EndsWith('z') || root.EndsWith("ch", StringComparison.Ordinal) || root.EndsWith("sh", StringComparison.Ordinal)))
            {
                continue; // "leaves" is "leave" + s, not "leav" + es.
            }
            stem = suffix is "ies" or "ied" ? root + "y" : root;
            break;
        }
        // "leave", "leaves" and "leaving" meet at "leav".
        return stem.Length > 4 && stem.EndsWith('e') ? stem[..^1] : stem;
    }

    private static void Add(Dictionary<string, double> terms, string term, double weight) =>
        terms[term] = terms.TryGetValue(term, out var existing) ? existing + weight : weight;
}
