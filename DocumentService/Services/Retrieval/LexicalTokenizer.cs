namespace DocumentService.Services.Retrieval;

/// <summary>
/// Lower-cased words of letters and digits, common English stop words dropped and a light suffix stemming, shared
/// by BM25 and the hashed vectors so that both see the same terms.
/// </summary>
public static class LexicalTokenizer
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has", "have", "how",
        "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "that", "the", "their", "there", "this",
        "to", "was", "we", "what", "when", "where", "which", "who", "will", "with", "you", "your", "should", "would",
        "could", "if", "about", "into", "than", "then", "so", "any", "all", "get", "may", "did", "been", "were",
    };

    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Span<char> buffer = stackalloc char[64];
        var length = 0;
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch))
            {
                if (length < buffer.Length)
                {
                    buffer[length++] = char.ToLowerInvariant(ch);
                }
                continue;
            }
            if (ch is '\'' or '’')
            {
                // "employee's" is "employee": the possessive ends the word.
                Flush(buffer[..length], tokens);
                length = 0;
                continue;
            }
            Flush(buffer[..length], tokens);
            length = 0;
        }
        Flush(buffer[..length], tokens);
        return tokens;
    }

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordSpans = StopWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Stop words are checked and stems cut on the span, so each kept token costs one string.</summary>
    private static void Flush(ReadOnlySpan<char> word, List<string> tokens)
    {
        if (word.Length == 0 || (word.Length == 1 && !char.IsDigit(word[0])) || StopWordSpans.Contains(word))
        {
            return;
        }
        var stem = word[..StemLength(word, out var addY)];
        tokens.Add(addY ? string.Concat(stem, "y") : stem.ToString());
    }

    /// <summary>A few English suffixes, enough that "holidays", "holiday" and "policies", "policy" meet.</summary>
    public static string Stem(string word)
    {
        var length = StemLength(word, out var addY);
        return addY ? string.Concat(word.AsSpan(0, length), "y") : length == word.Length ? word : word[..length];
    }

    /// <summary>How much of the word the stem keeps, and whether a "y" ends it ("policies" → "polic" + "y").</summary>
    private static int StemLength(ReadOnlySpan<char> word, out bool addY)
    {
        addY = false;
        if (word.Length <= 3 || char.IsDigit(word[^1]))
        {
            return word.Length;
        }
        if (word.EndsWith("ies") && word.Length > 4)
        {
            addY = true;
            return word.Length - 3;
        }
        if (word.EndsWith("ing") && word.Length > 5)
        {
            return word.Length - 3;
        }
        if (word.EndsWith("ed") && word.Length > 4)
        {
            return word.Length - 2;
        }
        if (word.EndsWith("es") && word.Length > 4 && word[^3] is 's' or 'x' or 'z' or 'h')
        {
            return word.Length - 2;
        }
        if (word.EndsWith('s') && !word.EndsWith("ss") && !word.EndsWith("us"))
        {
            return word.Length - 1;
        }
        return word.Length;
    }
}
