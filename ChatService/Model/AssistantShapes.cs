using System.Text.Json;

namespace ChatService.Model;

/// <summary>OpenAI's list envelope; JSON names follow the service-wide snake_case policy.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, string? FirstId, string? LastId, bool HasMore)
{
    public string Object => "list";
}

public sealed record DeletedObject(string Id, string Object, bool Deleted);

public sealed record AssistantObject(
    string Id,
    long CreatedAt,
    string? Name,
    string? Description,
    string Model,
    string? Instructions,
    JsonElement Tools,
    JsonElement Metadata,
    double? Temperature,
    double? TopP,
    JsonElement ToolResources,
    JsonElement ResponseFormat,
    string? ReasoningEffort)
{
    public string Object => "assistant";

    public static AssistantObject From(AssistantEntity a) => new(
        a.Id, a.CreatedAt, a.Name, a.Description, a.Model, a.Instructions,
        Json.Parse(a.ToolsJson), Json.Parse(a.MetadataJson), a.Temperature, a.TopP,
        Services.ToolResources.Show(a.ToolResourcesJson, Services.ToolResources.OwnStore(a.Id)), Services.OutputShape.Show(a.ResponseFormatJson),
        a.ReasoningEffort);
}

/// <summary>Body of create and modify: absent fields stay as they are on modify.</summary>
public sealed record AssistantRequest(
    string? Model,
    string? Name,
    string? Description,
    string? Instructions,
    JsonElement? Tools,
    JsonElement? Metadata,
    double? Temperature,
    double? TopP,
    JsonElement? ToolResources = null,
    JsonElement? ResponseFormat = null,
    string? ReasoningEffort = null);

public sealed record ThreadObject(string Id, long CreatedAt, JsonElement Metadata, JsonElement ToolResources)
{
    public string Object => "thread";

    public static ThreadObject From(ThreadEntity t) => new(t.Id, t.CreatedAt, Json.Parse(t.MetadataJson), Services.ToolResources.Show(t.ToolResourcesJson, null));
}

public sealed record ThreadRequest(IReadOnlyList<MessageRequest>? Messages, JsonElement? Metadata, JsonElement? ToolResources = null);

/// <summary>`content` is a string or an array of content parts, as OpenAI accepts both.</summary>
public sealed record MessageRequest(string? Role, JsonElement Content, JsonElement? Metadata, JsonElement? Attachments = null);

public sealed record TextValue(string Value, JsonElement Annotations)
{
    public TextValue(string value) : this(value, Json.EmptyArray)
    {
    }
}

public sealed record TextContentPart(TextValue Text)
{
    public string Type => "text";
}

public sealed record MessageObject(
    string Id,
    long CreatedAt,
    string ThreadId,
    string Status,
    long? CompletedAt,
    string Role,
    IReadOnlyList<TextContentPart> Content,
    string? AssistantId,
    string? RunId,
    JsonElement Metadata)
{
    public string Object => "thread.message";
    public IncompleteDetails? IncompleteDetails { get; init; }
    public long? IncompleteAt { get; init; }
    public JsonElement Attachments { get; init; } = Json.EmptyArray;

    public static MessageObject From(MessageEntity m) => new(
        m.Id, m.CreatedAt, m.ThreadId, m.Status, m.CompletedAt, m.Role,
        m.Content.Length == 0 && m.Status != "completed" ? [] : [new TextContentPart(new TextValue(m.Content, Json.Parse(m.AnnotationsJson)))],
        m.AssistantId, m.RunId, Json.Parse(m.MetadataJson))
    {
        Attachments = string.IsNullOrEmpty(m.AttachmentsJson) ? Json.EmptyArray : Json.Parse(m.AttachmentsJson),
        IncompleteDetails = m.Status == "incomplete" && m.IncompleteReason is { } reason ? new IncompleteDetails(reason) : null,
        IncompleteAt = m.Status == "incomplete" ? m.IncompleteAt : null,
    };
}

public sealed record RunRequest(
    string? AssistantId,
    string? Model,
    string? Instructions,
    string? AdditionalInstructions,
    IReadOnlyList<MessageRequest>? AdditionalMessages,
    bool? Stream,
    double? Temperature,
    double? TopP,
    int? MaxCompletionTokens,
    JsonElement? Metadata,
    JsonElement? Tools = null,
    JsonElement? ToolChoice = null,
    int? MaxPromptTokens = null,
    JsonElement? ResponseFormat = null,
    JsonElement? TruncationStrategy = null,
    bool? ParallelToolCalls = null,
    string? ReasoningEffort = null);

/// <summary>Body of POST /v1/threads/runs: a new thread and its first run in one call.</summary>
public sealed record ThreadAndRunRequest(
    string? AssistantId,
    ThreadRequest? Thread,
    string? Model,
    string? Instructions,
    bool? Stream,
    double? Temperature,
    double? TopP,
    int? MaxCompletionTokens,
    JsonElement? Metadata,
    JsonElement? Tools = null,
    JsonElement? ToolChoice = null,
    JsonElement? ToolResources = null,
    int? MaxPromptTokens = null,
    JsonElement? ResponseFormat = null,
    JsonElement? TruncationStrategy = null,
    bool? ParallelToolCalls = null,
    string? ReasoningEffort = null);

/// <summary>Body of submit_tool_outputs: every pending call's output at once.</summary>
public sealed record ToolOutputsRequest(IReadOnlyList<ToolOutput>? ToolOutputs, bool? Stream);

public sealed record ToolOutput(string? ToolCallId, string? Output);

public sealed record MessageUpdateRequest(JsonElement? Metadata);

public sealed record RunUpdateRequest(JsonElement? Metadata);

public sealed record RunError(string Code, string Message);

public sealed record UsageObject(int PromptTokens, int CompletionTokens, int TotalTokens);

/// <summary>OpenAI's Run. `instructions` is always a string there: a run with none shows "".</summary>
public sealed record RunObject(
    string Id,
    long CreatedAt,
    string ThreadId,
    string AssistantId,
    string Status,
    RunError? LastError,
    long? StartedAt,
    long? CancelledAt,
    long? FailedAt,
    long? CompletedAt,
    string Model,
    string Instructions,
    JsonElement Metadata,
    UsageObject? Usage,
    double? Temperature,
    double? TopP,
    int? MaxCompletionTokens,
    JsonElement? RequiredAction,
    long? ExpiresAt,
    JsonElement Tools,
    JsonElement ToolChoice,
    int? MaxPromptTokens,
    JsonElement ResponseFormat)
{
    public string Object => "thread.run";

    /// <summary>A run ends incomplete here only when its answer is cut at its token cap.</summary>
    public IncompleteDetails? IncompleteDetails => Status == "incomplete" ? new IncompleteDetails("max_completion_tokens") : null;
    public required object TruncationStrategy { get; init; }
    public bool ParallelToolCalls { get; init; } = true;
    public string? ReasoningEffort { get; init; }

    public static RunObject From(RunEntity r) => new(
        r.Id, r.CreatedAt, r.ThreadId, r.AssistantId, r.Status,
        r.LastErrorCode is null ? null : new RunError(r.LastErrorCode, r.LastErrorMessage ?? ""),
        r.StartedAt, r.CancelledAt, r.FailedAt, r.CompletedAt, r.Model, r.Instructions ?? "", Json.Parse(r.MetadataJson),
        r.PromptTokens is { } p && r.CompletionTokens is { } c ? new UsageObject(p, c, p + c) : null,
        r.Temperature, r.TopP, r.MaxCompletionTokens,
        r.Status == "requires_action" && r.RequiredActionJson is { } action ? Json.Parse(action) : null,
        r.Status == "requires_action" ? r.ExpiresAt : null,
        Json.Parse(r.ToolsJson), Json.Parse(r.ToolChoiceJson), r.MaxPromptTokens, Services.OutputShape.Show(r.ResponseFormatJson))
    {
        TruncationStrategy = new { type = r.TruncationLastMessages is null ? "auto" : "last_messages", last_messages = r.TruncationLastMessages },
        ParallelToolCalls = r.ParallelToolCalls ?? true,
        ReasoningEffort = r.ReasoningEffort,
    };
}

/// <summary>OpenAI's run step; file search results carry their content only when include[] asks for it.</summary>
public sealed record RunStepObject(
    string Id, long CreatedAt, string RunId, string AssistantId, string ThreadId, string Type, string Status,
    long? CancelledAt, long? CompletedAt, long? ExpiredAt, long? FailedAt, JsonElement StepDetails)
{
    public string Object => "thread.run.step";
    public object? LastError => null;
    public object? Usage => null;
    public JsonElement Metadata => Json.EmptyObject;

    public static RunStepObject From(RunStepEntity s, bool withContent = true) => new(
        s.Id, s.CreatedAt, s.RunId, s.AssistantId, s.ThreadId, s.Type, s.Status, s.CancelledAt, s.CompletedAt, s.ExpiredAt, s.FailedAt,
        withContent ? Json.Parse(s.DetailsJson) : Services.RunSteps.WithoutContent(s.DetailsJson));
}

/// <summary>Streamed piece of a run step, as thread.run.step.delta carries it: the step's tool calls, each with its index.</summary>
public sealed record RunStepDeltaObject(string Id, RunStepDelta Delta)
{
    public string Object => "thread.run.step.delta";
}

public sealed record RunStepDelta(JsonElement StepDetails);

/// <summary>Streamed piece of a message, as thread.message.delta carries it.</summary>
public sealed record MessageDeltaObject(string Id, MessageDelta Delta)
{
    public string Object => "thread.message.delta";
}

public sealed record MessageDelta(IReadOnlyList<DeltaTextPart> Content);

public sealed record DeltaTextPart(int Index, TextValue Text)
{
    public string Type => "text";
}

internal static class Json
{
    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
    public static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement.Clone();

    /// <summary>The string value of a property of an object; null when the element is no object or the value no string.</summary>
    public static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// The text of a message's content: a string, or an array of text parts (`text` as a string or {value}; an
    /// assistant's `refusal` part by its words). Anything else, or malformed parts, yield no text, so the caller answers
    /// 400 rather than failing; a part of a kind kept nowhere here (an image, a file, audio) is refused by its type in
    /// <paramref name="param"/>, never dropped while the rest is answered.
    /// </summary>
    public static string? TextOf(JsonElement content, string param = "content")
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        if (content.EnumerateArray().Select(p => StringOf(p, "type")).FirstOrDefault(t => t is not (null or "text" or "refusal")) is { } other)
        {
            throw Services.Access.BadRequest(
                $"Content parts of type '{other}' are not supported here (text is): nothing here keeps or reads them.", "unsupported_content", param);
        }
        var parts = content.EnumerateArray().Select(PartText).ToList();
        return parts.Contains(null) ? null : string.Join("\n", parts) is { Length: > 0 } joined ? joined : null;
    }

    private static string? PartText(JsonElement part)
    {
        if (StringOf(part, "type") == "refusal")
        {
            return StringOf(part, "refusal");
        }
        if (StringOf(part, "type") != "text" || !part.TryGetProperty("text", out var text))
        {
            return null;
        }
        return text.ValueKind switch
        {
            JsonValueKind.String => text.GetString(),
            JsonValueKind.Object when text.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String => value.GetString(),
            _ => null,
        };
    }

    /// <summary>
    /// OpenAI's metadata rules: an object of at most 16 string values. The SDKs read metadata as a map of strings,
    /// so one stored number or object would make every later read of the object, and of any list holding it, fail.
    /// </summary>
    public static string MetadataText(JsonElement? metadata)
    {
        if (metadata is not { ValueKind: JsonValueKind.Object } m)
        {
            return metadata is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }
                ? "{}"
                : throw InvalidMetadata("metadata must be an object of string values.");
        }
        var properties = m.EnumerateObject().ToList();
        if (properties.Count > 16)
        {
            throw InvalidMetadata("metadata may have at most 16 keys.");
        }
        if (properties.Any(p => p.Name.Length > 64 || p.Value.ValueKind != JsonValueKind.String || p.Value.GetString()!.Length > 512))
        {
            throw InvalidMetadata("metadata keys may be at most 64 characters, and values must be strings of at most 512.");
        }
        return m.GetRawText();
    }

    private static ServiceDefaults.Errors.ApiException InvalidMetadata(string message) =>
        new(400, message, "Bad request", "invalid_metadata") { Param = "metadata" };
}

/// <summary>Why a message, a run or a channel's answer stopped short, in OpenAI's words (max_tokens, run_cancelled, ...).</summary>
public sealed record IncompleteDetails(string Reason);
