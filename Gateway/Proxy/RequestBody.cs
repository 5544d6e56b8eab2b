using System.Buffers;
using System.Text.Json;

namespace Gateway.Proxy;

/// <summary>
/// What the gateway needs to know from a JSON request body (the assistant it names, its size), read once per
/// request. The body is buffered so it still reaches the service whole.
/// </summary>
public sealed record RequestBody(long Length, string? Model, string? AssistantId)
{
    /// <summary>Bodies larger than this are not inspected (uploads); their size still counts.</summary>
    public const int MaxInspectedBytes = 1024 * 1024;

    private static readonly object ItemKey = new();

    public static async Task<RequestBody> ReadAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is RequestBody known)
        {
            return known;
        }

        var request = context.Request;
        RequestBody body;
        if (request.ContentLength is > MaxInspectedBytes || !IsJson(request.ContentType))
        {
            body = new RequestBody(request.ContentLength ?? 0, null, null);
        }
        else
        {
            request.EnableBuffering(MaxInspectedBytes);
            // Read at most one byte past the limit: a chunked body of unknown length is never held in memory whole.
            var size = (int)Math.Min(MaxInspectedBytes + 1, (request.ContentLength ?? MaxInspectedBytes) + 1);
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var read = 0;
                int n;
                while (read < size && (n = await request.Body.ReadAsync(buffer.AsMemory(read, size - read), context.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }
                request.Body.Position = 0;
                body = read > MaxInspectedBytes
                    ? new RequestBody(request.ContentLength ?? read, null, null)
                    : Parse(buffer.AsMemory(0, read));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        context.Items[ItemKey] = body;
        return body;
    }

    private static RequestBody Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new RequestBody(json.Length, null, null);
            }
            var root = document.RootElement;
            return new RequestBody(
                json.Length,
                String(root, "model"),
                String(root, "assistant_id"));
        }
        catch (JsonException)
        {
            // Not the gateway's to judge: the service answers malformed JSON with its own 400.
            return new RequestBody(json.Length, null, null);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase);
}
