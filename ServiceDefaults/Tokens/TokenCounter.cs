using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace ServiceDefaults.Tokens;

/// <summary>
/// Token counts by OpenAI's own byte-pair encodings (Microsoft.ML.Tokenizers with its o200k_base and cl100k_base data
/// packages, no download): o200k for the GPT-4o family and newer and for any model it does not know, cl100k for
/// GPT-4 and GPT-3.5. Used for context budgets and usage estimates where a provider reports no usage of its own.
/// </summary>
public static class TokenCounter
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));
    private static readonly ConcurrentDictionary<string, Tokenizer> ByModel = new(StringComparer.OrdinalIgnoreCase);

    public static int Count(string? text, string? model = null) =>
        string.IsNullOrEmpty(text) ? 0 : For(model).CountTokens(text);

    public static Tokenizer For(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return O200k.Value;
        }
        return ByModel.GetOrAdd(model, m =>
            m.StartsWith("gpt-4", StringComparison.OrdinalIgnoreCase) && !m.StartsWith("gpt-4o", StringComparison.OrdinalIgnoreCase)
            && !m.StartsWith("gpt-4.1", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("gpt-3.5", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("text-embedding-", StringComparison.OrdinalIgnoreCase)
                ? Cl100k.Value
                : O200k.Value);
    }
}
