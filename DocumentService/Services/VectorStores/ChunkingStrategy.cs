using System.Text.Json;
using ServiceDefaults.Errors;

namespace DocumentService.Services.VectorStores;

/// <summary>
/// OpenAI's chunking_strategy: `auto` (this service's own sizes) or `static` with max_chunk_size_tokens (100..4096)
/// and chunk_overlap_tokens (at most half of it). Tokens become characters at 4 a token, the chunker's unit. The file
/// object always reports the static sizes used.
/// </summary>
public static class ChunkingStrategy
{
    private const int CharsPerToken = 4;

    public static (Services.ChunkSizes? Sizes, string Json) Parse(JsonElement? strategy, DocumentsOptions options)
    {
        if (strategy is null || strategy.Value.ValueKind == JsonValueKind.Null
            || strategy.Value.ValueKind == JsonValueKind.Object && Type(strategy.Value) == "auto")
        {
            return (null, Static(options.ChunkSize / CharsPerToken, options.ChunkOverlap / CharsPerToken));
        }
        var value = strategy.Value;
        if (value.ValueKind != JsonValueKind.Object || Type(value) != "static"
            || !value.TryGetProperty("static", out var sizes) || sizes.ValueKind != JsonValueKind.Object)
        {
            throw Bad("'chunking_strategy' must be {\"type\":\"auto\"} or {\"type\":\"static\",\"static\":{...}}.");
        }
        var max = Int(sizes, "max_chunk_size_tokens") ?? throw Bad("'chunking_strategy.static.max_chunk_size_tokens' is required.");
        var overlap = Int(sizes, "chunk_overlap_tokens") ?? throw Bad("'chunking_strategy.static.chunk_overlap_tokens' is required.");
        if (max is < 100 or > 4096)
        {
            throw Bad("'max_chunk_size_tokens' must be between 100 and 4096.");
        }
        if (overlap < 0 || overlap > max / 2)
        {
            throw Bad("'chunk_overlap_tokens' must be between 0 and half of max_chunk_size_tokens.");
        }
        // The chunker keeps overlap strictly under half a chunk.
        var chars = max * CharsPerToken;
        return (new Services.ChunkSizes(chars, Math.Min(overlap * CharsPerToken, chars / 2 - 1)), Static(max, overlap));
    }

    private static string Static(int max, int overlap) =>
        JsonSerializer.Serialize(new { type = "static", @static = new { max_chunk_size_tokens = max, chunk_overlap_tokens = overlap } });

    private static string? Type(JsonElement value) =>
        value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    private static int? Int(JsonElement value, string name) =>
        value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static ApiException Bad(string message) => new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_chunking_strategy") { Param = "chunking_strategy" };
}
