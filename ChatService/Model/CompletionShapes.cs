using System.Text.Json;

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
    string? Verbosity = null);

public sealed record ChatMessageRequest(string? Role, JsonElement Content, string? Name);

public sealed record StreamOptionsRequest(bool? IncludeUsage);

public sealed record ChatCompletionMessage(string Role, string? Content)
{
    public string? Refusal => null;
}

public sealed record ChatCompletionChoice(int Index, ChatCompletionMessage Message, string FinishReason)
{
    public object? Logprobs => null;
}

public sealed record ChatCompletionResponse(
    string Id, long Created, string Model, IReadOnlyList<ChatCompletionChoice> Choices, UsageObject Usage)
{
    public string Object => "chat.completion";
    public string? SystemFingerprint => null;
}

public sealed record ChunkDelta(string? Role, string? Content);

public sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason)
{
    public object? Logprobs => null;
}

public sealed record ChatCompletionChunk(
    string Id, long Created, string Model, IReadOnlyList<ChunkChoice> Choices, UsageObject? Usage)
{
    public string Object => "chat.completion.chunk";
    public string? SystemFingerprint => null;
}

public sealed record ModelObject(string Id, long Created, string OwnedBy)
{
    public string Object => "model";
}
