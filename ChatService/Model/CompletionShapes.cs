using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatService.Model;

public sealed record ChatCompletionRequest(
    string? Model,
    IReadOnlyList<ChatMessageRequest>? Messages,
    bool? Stream,
    StreamOptionsRequest? StreamOptions,
    double? Temperature,
    double? TopP,
    int? MaxTokens,
    int? MaxCompletionTokens,
    string? User,
    int? N = null,
    JsonElement? ResponseFormat = null,
    JsonElement? Stop = null,
    long? Seed = null,
    double? PresencePenalty = null,
    double? FrequencyPenalty = null,
    JsonElement? Tools = null,
    JsonElement? Functions = null,
    JsonElement? ToolChoice = null,
    JsonElement? FunctionCall = null,
    bool? Logprobs = null,
    int? TopLogprobs = null,
    JsonElement? LogitBias = null,
    JsonElement? Audio = null,
    JsonElement? Modalities = null,
    JsonElement? Prediction = null,
    JsonElement? WebSearchOptions = null,
    bool? Store = null,
    string? ReasoningEffort = null,
    string? Verbosity = null,
    bool? ParallelToolCalls = null,
    string? SafetyIdentifier = null);

/// <summary>A message of a chat completion request; an assistant's may carry `tool_calls`, a tool's answers one by `tool_call_id`.</summary>
public sealed record ChatMessageRequest(string? Role, JsonElement Content, string? Name, JsonElement? ToolCalls = null, string? ToolCallId = null);

public sealed record StreamOptionsRequest(bool? IncludeUsage);

public sealed record ChatCompletionMessage(
    string Role, string? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallObject>? ToolCalls = null)
{
    public string? Refusal => null;
}

/// <summary>A function the model called: its arguments are JSON text, as OpenAI sends them.</summary>
public sealed record ToolCallObject(string Id, FunctionCallObject Function)
{
    public string Type => "function";
}

public sealed record FunctionCallObject(string Name, string Arguments);

public sealed record ChatCompletionChoice(int Index, ChatCompletionMessage Message, string FinishReason)
{
    public object? Logprobs => null;
}

public sealed record ChatCompletionResponse(
    string Id, long Created, string Model, IReadOnlyList<ChatCompletionChoice> Choices, UsageObject Usage)
{
    public string Object => "chat.completion";
}

/// <summary>OpenAI names the role in a stream's first delta only; the SDKs' types allow it absent, never null.</summary>
public sealed record ChunkDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role, string? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallChunk>? ToolCalls = null);

/// <summary>A piece of a streamed tool call: the first of a call carries its id, type and name; the rest add arguments.</summary>
public sealed record ToolCallChunk(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type,
    FunctionCallChunk Function);

public sealed record FunctionCallChunk(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name, string Arguments);

public sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason)
{
    public object? Logprobs => null;
}

public sealed record ChatCompletionChunk(
    string Id, long Created, string Model, IReadOnlyList<ChunkChoice> Choices, UsageObject? Usage)
{
    public string Object => "chat.completion.chunk";
}

public sealed record ModelObject(string Id, long Created, string OwnedBy)
{
    public string Object => "model";
}
