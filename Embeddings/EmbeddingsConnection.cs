using System.Data.Common;
using Microsoft.Extensions.Configuration;

namespace Embeddings;

/// <summary>
/// `Endpoint=...;Key=...;Model=...` from ConnectionStrings:embeddings, or `EmbeddingModel=` inside
/// ConnectionStrings:openai (whose Model is a chat model). Neither: the local model.
/// </summary>
public sealed record EmbeddingsConnection(Uri? Endpoint, string? Key, string Model)
{
    public static EmbeddingsConnection? From(IConfiguration configuration)
    {
        if (Parse(configuration.GetConnectionString("embeddings")) is { } own && own.TryGetValue("model", out var model))
        {
            return Make(own, model);
        }
        if (Parse(configuration.GetConnectionString("openai")) is { } shared && shared.TryGetValue("embeddingmodel", out var embeddingModel))
        {
            return Make(shared, embeddingModel);
        }
        return null;
    }

    private static EmbeddingsConnection Make(Dictionary<string, string> parts, string model) => new(
        parts.TryGetValue("endpoint", out var endpoint) ? new Uri(endpoint) : null,
        parts.GetValueOrDefault("key"),
        model);

    private static Dictionary<string, string>? Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return builder.Keys.Cast<string>().ToDictionary(k => k.ToLowerInvariant(), k => builder[k]?.ToString() ?? "", StringComparer.Ordinal);
    }
}
