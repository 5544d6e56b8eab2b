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

    private static void Flush(ReadOnlySpan<char> word, List<string> tokens)
    {
        if (word.Length == 0 || (word.Length == 1 && !char.IsDigit(word[0])))
        {
            return;
        }
        var text = word.ToString();
        if (StopWords.Contains(text))
        {
            return;
        }
        tokens.Add(Stem(text));
    }

    /// <summary>A few English suffixes, enough that "holidays", "holiday" and "policies", "policy" meet.</summary>
    public static string Stem(string word)
    {
        if (word.Length <= 3 || char.IsDigit(word[^1]))
        {
            return word;
        }
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^3] + "y";
        }
        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length > 5)
        {
            return word[..^3];
        }
        if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^2];
        }
        if (word.EndsWith("es", StringComparison.Ordinal) && word.Length > 4 && word[^3] is 's' or 'x' or 'z' or 'h')
        {
            return word[..^2];
        }
        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal))
        {
            return word[..^1];
        }
        return word;
    }
}
