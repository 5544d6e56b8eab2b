using DocumentService.Services.Retrieval;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Embeddings;
using ServiceDefaults.Tokens;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace DocumentService.Apis;

/// <summary>`input` is a string or an array of strings, as OpenAI accepts both (token-id arrays are not taken).</summary>
public sealed record EmbeddingsRequest(JsonElement? Input, string? Model, string? EncodingFormat, int? Dimensions, string? User);

public sealed record EmbeddingItem(int Index, object Embedding)
{
    public string Object => "embedding";
}

public sealed record EmbeddingsUsage(int PromptTokens, int TotalTokens);

public sealed record EmbeddingsList(IReadOnlyList<EmbeddingItem> Data, string Model, EmbeddingsUsage Usage)
{
    public string Object => "list";
}

/// <summary>
/// POST /v1/embeddings in OpenAI's shapes, with the platform's own embedding model (the one documents and intents
/// use: local MiniLM, or the configured endpoint), whatever `model` names; the answer says which model made them.
/// </summary>
public static class EmbeddingsApi
{
    public const int MaxInputs = 2048;
    public const int MaxInputTokens = 8192;

    public static IEndpointRouteBuilder MapEmbeddingsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/embeddings", CreateAsync).WithTags("Embeddings");
        return app;
    }

    public static async Task<EmbeddingsList> CreateAsync(
        EmbeddingsRequest request, CallerIdentity caller, IEmbeddingGenerator<string, Embedding<float>> embeddings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Bad("'model' is required.", "model");
        }
        var base64 = request.EncodingFormat switch
        {
            null or "" or "float" => false,
            "base64" => true,
            _ => throw Bad("'encoding_format' must be 'float' or 'base64'.", "encoding_format"),
        };
        var inputs = Inputs(request.Input);
        var tokens = inputs.Select(text => TokenCounter.Count(text)).ToList();
        if (tokens.Any(count => count > MaxInputTokens))
        {
            throw Bad($"Each input may be at most {MaxInputTokens} tokens.", "input");
        }

        var vectors = await EmbeddingFailures.GuardAsync(() => embeddings.GenerateAsync(inputs, cancellationToken: cancellationToken));
        var dimensions = vectors[0].Vector.Length;
        if (request.Dimensions is { } wanted && wanted != dimensions)
        {
            throw Bad($"'dimensions' must be {dimensions}, the size of this platform's embeddings.", "dimensions");
        }
        var data = vectors.Select((vector, index) => new EmbeddingItem(index, base64
            ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.Vector.Span))
            : vector.Vector.ToArray())).ToList();
        return new EmbeddingsList(data, embeddings.ModelName(), new EmbeddingsUsage(tokens.Sum(), tokens.Sum()));
    }

    private static List<string> Inputs(JsonElement? input)
    {
        var inputs = StringOrStrings(input) ?? throw Bad("'input' must be a string or an array of strings.", "input");
        if (inputs.Count is 0 or > MaxInputs || inputs.Any(string.IsNullOrEmpty))
        {
            throw Bad($"'input' needs 1 to {MaxInputs} non-empty strings.", "input");
        }
        return inputs;
    }

    /// <summary>OpenAI's "a string or an array of strings" (an embeddings input, a search query); null when it is neither.</summary>
    internal static List<string>? StringOrStrings(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } one => [one.GetString()!],
        { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            many.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => null,
    };

    private static ApiException Bad(string message, string param) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_" + param) { Param = param };
}
