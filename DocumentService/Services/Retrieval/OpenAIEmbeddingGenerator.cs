using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;

namespace DocumentService.Services.Retrieval;

/// <summary>
/// Embeddings from any OpenAI-compatible endpoint through the OpenAI SDK's EmbeddingClient (the Microsoft adapter
/// package is not available, so this is the adapter). Inputs go in batches to keep each request modest.
/// </summary>
public sealed class OpenAIEmbeddingGenerator(EmbeddingClient client, string model) : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int BatchSize = 64;

    public static OpenAIEmbeddingGenerator Create(EmbeddingsConnection connection, HttpClient http)
    {
        var options = new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) };
        if (connection.Endpoint is { } endpoint)
        {
            options.Endpoint = endpoint;
        }
        var client = new EmbeddingClient(connection.Model, new ApiKeyCredential(connection.Key ?? "unused"), options);
        return new OpenAIEmbeddingGenerator(client, connection.Model);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var batch in values.Chunk(BatchSize))
        {
            var response = await client.GenerateEmbeddingsAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var embedding in response.Value.OrderBy(e => e.Index))
            {
                result.Add(new Embedding<float>(embedding.ToFloats()) { ModelId = model });
            }
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>
/// `Endpoint=...;Key=...;Model=...` from ConnectionStrings:embeddings, or `EmbeddingModel=` inside
/// ConnectionStrings:openai (whose Model is a chat model). Neither: the local hashed vectors.
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
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return builder.Keys.Cast<string>().ToDictionary(k => k.ToLowerInvariant(), k => builder[k]?.ToString() ?? "", StringComparer.Ordinal);
    }
}
