using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Model;

/// <summary>
/// What a response create and a token count (POST /v1/responses/input_tokens) both say about the prompt, so a count
/// is of exactly what the create would send.
/// </summary>
public interface IResponsePrompt
{
    string? Model { get; }
    JsonElement Input { get; }
    string? Instructions { get; }
    string? PreviousResponseId { get; }
    JsonElement Conversation { get; }
    JsonElement Tools { get; }
    JsonElement ToolChoice { get; }
    JsonElement? Text { get; }
    JsonElement? Reasoning { get; }
    bool? ParallelToolCalls { get; }
    /// <summary>"auto" or "disabled" (OpenAI's default); JSON, so that any other value is a 400 naming the field.</summary>
    JsonElement? Truncation { get; }
}

/// <summary>Body of POST /v1/responses. Fields whose JSON type varies (input, conversation, tools) stay JSON.</summary>
public sealed record ResponseRequest(
    string? Model,
    JsonElement Input,
    string? Instructions,
    string? PreviousResponseId,
    JsonElement Conversation,
    bool? Store,
    bool? Stream,
    bool? Background,
    int? MaxOutputTokens,
    double? Temperature,
    double? TopP,
    JsonElement? Metadata,
    JsonElement Tools,
    JsonElement ToolChoice,
    JsonElement Include,
    JsonElement? Text = null,
    JsonElement? Reasoning = null,
    bool? ParallelToolCalls = null,
    int? MaxToolCalls = null,
    int? TopLogprobs = null,
    JsonElement? Prompt = null,
    JsonElement? Truncation = null,
    string? User = null,
    string? SafetyIdentifier = null) : IResponsePrompt;

/// <summary>Body of POST /v1/responses/input_tokens: OpenAI's count takes the prompt's fields of a create, all optional.</summary>
public sealed record InputTokensRequest(
    string? Model,
    JsonElement Input,
    string? Instructions,
    string? PreviousResponseId,
    JsonElement Conversation,
    JsonElement Tools,
    JsonElement ToolChoice,
    JsonElement? Text,
    JsonElement? Reasoning,
    bool? ParallelToolCalls,
    JsonElement? Truncation) : IResponsePrompt
{
    /// <summary>A count sent with no body at all counts what an empty one does.</summary>
    public static readonly InputTokensRequest Empty = new(null, default, null, null, default, default, default, null, null, null, null);
}

/// <summary>OpenAI's answer to a token count.</summary>
public sealed record InputTokenCount(int InputTokens)
{
    public string Object => "response.input_tokens";
}

public sealed record ConversationRequest(JsonElement Items, JsonElement? Metadata);

public sealed record ConversationItemsRequest(JsonElement Items);

public sealed record ConversationObject(string Id, long CreatedAt, JsonElement Metadata)
{
    public string Object => "conversation";

    public static ConversationObject From(ConversationEntity c) => new(c.Id, c.CreatedAt, Json.Parse(c.MetadataJson));
}

/// <summary>A conversation in the native list (GET /api/conversations): when it last changed and what it is bound to.</summary>
public sealed record ConversationSummary(string Id, long CreatedAt, long UpdatedAt, string? AssistantId, JsonElement Metadata)
{
    public static ConversationSummary From(ConversationEntity c) => new(c.Id, c.CreatedAt, c.UpdatedAt, c.AssistantId, Json.Parse(c.MetadataJson));
}

/// <summary>OpenAI's Response object, written from the stored row and its output items.</summary>
public static class ResponseJson
{
    /// <remarks>
    /// Optional fields OpenAI's SDK types do not allow as null (`usage` before the answer is counted, the deprecated
    /// `user`, which is never stored) are left out rather than written as null.
    /// </remarks>
    public static JsonObject Build(ResponseEntity r, IEnumerable<JsonNode> output, bool store = true)
    {
        var response = Fields(r, output, store);
        if (r.InputTokens is { } input && r.OutputTokens is { } outputTokens)
        {
            response["usage"] = Usage(input, outputTokens);
        }
        return response;
    }

    private static JsonObject Fields(ResponseEntity r, IEnumerable<JsonNode> output, bool store) => new()
    {
        ["id"] = r.Id,
        ["object"] = "response",
        // Required by OpenAI's Response type; null is its "no access program applies" (nothing here has one).
        ["access_programs"] = null,
        ["created_at"] = r.CreatedAt,
        ["status"] = r.Status,
        ["background"] = r.Background,
        ["error"] = r.ErrorCode is null ? null : new JsonObject { ["code"] = r.ErrorCode, ["message"] = r.ErrorMessage ?? "" },
        ["incomplete_details"] = r.IncompleteReason is null ? null : new JsonObject { ["reason"] = r.IncompleteReason },
        ["instructions"] = r.Instructions,
        ["max_output_tokens"] = r.MaxOutputTokens,
        ["max_tool_calls"] = null,
        ["model"] = r.Model,
        ["output"] = new JsonArray([.. output.Select(i => i.DeepClone())]),
        ["parallel_tool_calls"] = r.ParallelToolCalls ?? true,
        ["previous_response_id"] = r.PreviousResponseId,
        ["conversation"] = r.ConversationId is null ? null : new JsonObject { ["id"] = r.ConversationId },
        ["reasoning"] = new JsonObject { ["effort"] = r.ReasoningEffort, ["summary"] = null },
        ["service_tier"] = "default",
        ["store"] = store,
        ["temperature"] = r.Temperature ?? 1.0,
        ["text"] = new JsonObject
        {
            ["format"] = r.TextFormatJson is { } format ? JsonNode.Parse(format) : new JsonObject { ["type"] = "text" },
            ["verbosity"] = r.Verbosity ?? "medium",
        },
        ["tool_choice"] = JsonNode.Parse(r.ToolChoiceJson),
        ["tools"] = JsonNode.Parse(r.ToolsJson),
        ["top_logprobs"] = 0,
        ["top_p"] = r.TopP ?? 1.0,
        ["truncation"] = r.Truncation ?? "auto",
        ["metadata"] = JsonNode.Parse(r.MetadataJson),
        ["completed_at"] = r.CompletedAt,
    };

    public static JsonObject Usage(int input, int output) => new()
    {
        ["input_tokens"] = input,
        // Nothing here caches prompts: no token is read from or written to a prompt cache.
        ["input_tokens_details"] = new JsonObject { ["cache_write_tokens"] = 0, ["cached_tokens"] = 0 },
        ["output_tokens"] = output,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
        ["total_tokens"] = input + output,
    };

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
