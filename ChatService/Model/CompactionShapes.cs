using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Model;

/// <summary>
/// Body of POST /v1/responses/compact (OpenAI's ResponseCompactParams): the window to compact, as a create names its
/// prompt. Its prompt-cache and service-tier fields are not read, as a create's are not (nothing here caches prompts
/// or has tiers).
/// </summary>
public sealed record CompactRequest(string? Model, JsonElement Input, string? Instructions, string? PreviousResponseId) : IResponsePrompt
{
    JsonElement IResponsePrompt.Conversation => default;
    JsonElement IResponsePrompt.Tools => default;
    JsonElement IResponsePrompt.ToolChoice => default;
    JsonElement? IResponsePrompt.Text => null;
    JsonElement? IResponsePrompt.Reasoning => null;
    bool? IResponsePrompt.ParallelToolCalls => null;
    JsonElement? IResponsePrompt.Truncation => null;
}

/// <summary>OpenAI's CompactedResponse: the window's user messages, then one compaction item, and the summary's usage.</summary>
public static class CompactedResponseJson
{
    public static JsonObject Build(string id, long createdAt, IEnumerable<JsonObject> output, int inputTokens, int outputTokens) => new()
    {
        ["id"] = id,
        ["object"] = "response.compaction",
        ["created_at"] = createdAt,
        ["output"] = new JsonArray([.. output]),
        ["usage"] = ResponseJson.Usage(inputTokens, outputTokens),
    };
}
