using System.Data.Common;

namespace ChatService.Providers;

/// <summary>
/// The keys this service holds for its models (chat, and embeddings where configured). A model's refusal is relayed
/// to the client (<see cref="Services.ModelRefusal"/>); a proxy in front of a model may quote the key it was given,
/// and keys come in every shape (gsk_..., hex), so the configured ones are blanked by value, not by pattern.
/// </summary>
public sealed class ModelSecrets
{
    public static readonly ModelSecrets None = new([]);

    // Shorter values (a placeholder key such as "unused" for a local server) are no secret and common words.
    private const int MinLength = 8;
    private readonly string[] _keys;

    public ModelSecrets(IEnumerable<string?> keys) =>
        _keys = [.. keys.OfType<string>().Select(k => k.Trim()).Where(k => k.Length >= MinLength).Distinct(StringComparer.Ordinal)];

    public static ModelSecrets From(IConfiguration configuration) =>
        new([
            KeyOf(configuration.GetConnectionString("openai")),
            KeyOf(configuration.GetConnectionString("embeddings")),
            configuration["OPENAI_API_KEY"],
        ]);

    /// <summary>The text with every configured key replaced by "[redacted]".</summary>
    public string Conceal(string text) =>
        _keys.Aggregate(text, (current, key) => current.Replace(key, "[redacted]", StringComparison.Ordinal));

    private static string? KeyOf(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            return null;
        }
        try
        {
            var parts = new DbConnectionStringBuilder { ConnectionString = connection };
            return parts.TryGetValue("Key", out var key) ? key?.ToString() : null;
        }
        catch (ArgumentException)
        {
            // A malformed connection string is refused where the model is set up; there is no key to read here.
            return null;
        }
    }
}
