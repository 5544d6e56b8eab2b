using ServiceDefaults.Data;

namespace ChatService.Model;

/// <summary>
/// What a response or conversation needs to decide who sees it (Services/Access): the owning user, the
/// assistant it is bound to (the one it answered as), and the API key that made it while it is bound to none.
/// </summary>
public interface IOwnedByCaller : ChatService.Services.IHasId
{
    string OwnerId { get; }
    string? AssistantId { get; }
    string? CreatedByKeyId { get; }
}

/// <summary>A stored response (POST /v1/responses with store not false). Its items and events are rows of their own.</summary>
public sealed class ResponseEntity : IOwnedByCaller
{
    public required string Id { get; set; }
    public required string OwnerId { get; set; }
    public string? AssistantId { get; set; }
    public string? CreatedByKeyId { get; set; }
    public long CreatedAt { get; set; }
    public long? CompletedAt { get; set; }
    /// <summary>queued (background only), in_progress, completed, incomplete, failed or cancelled.</summary>
    public required string Status { get; set; }
    /// <summary>The model as the client named it (an assistant id or a model name).</summary>
    public required string Model { get; set; }
    public string? Instructions { get; set; }
    public string? PreviousResponseId { get; set; }
    public string? ConversationId { get; set; }
    public int? MaxOutputTokens { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public string MetadataJson { get; set; } = "{}";
    public string ToolsJson { get; set; } = "[]";
    public string ToolChoiceJson { get; set; } = "\"auto\"";
    /// <summary>text.format as the client gave it (null: plain text), passed to the model and shown.</summary>
    public string? TextFormatJson { get; set; }
    /// <summary>"auto" or "disabled" as asked (null: made before it was kept, when the oldest turns were always dropped).</summary>
    public string? Truncation { get; set; }
    /// <summary>reasoning.effort, text.verbosity and parallel_tool_calls as asked (null: not asked), passed on and shown.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(16)]
    public string? ReasoningEffort { get; set; }
    [System.ComponentModel.DataAnnotations.MaxLength(16)]
    public string? Verbosity { get; set; }
    public bool? ParallelToolCalls { get; set; }
    public string? IncompleteReason { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public int? InputTokens { get; set; }
    public int? OutputTokens { get; set; }
    /// <summary>Set by a cancel on any replica; the replica generating the response stops at its next checkpoint.</summary>
    public bool CancelRequested { get; set; }
    /// <summary>Made by the background worker (`background: true`): create answered at once with it queued.</summary>
    public bool Background { get; set; }
    /// <summary>
    /// Unix seconds until which the process making a background response holds it (renewed while it works). A queued
    /// or in_progress one whose lease ran out was left by a process that died, and is failed by any replica.
    /// </summary>
    public long? LeaseExpiresAt { get; set; }
}

/// <summary>
/// An item as OpenAI's item JSON. Item ids carry their type's prefix (msg_, fc_, fco_), so they do not sort in
/// creation order across types: <see cref="Seq"/> does (<see cref="Ids.Stamp"/>).
/// </summary>
public interface IItemRow : ChatService.Services.IHasId
{
    long Seq { get; }
    string Json { get; }
}

/// <summary>One input or output item of a response.</summary>
public sealed class ResponseItemEntity : IItemRow
{
    public required string Id { get; set; }
    public long Seq { get; set; }
    public required string ResponseId { get; set; }
    public bool Output { get; set; }
    public required string Json { get; set; }
}

/// <summary>A streamed event of a response, kept so GET /v1/responses/{id}?stream=true can replay it from any replica.</summary>
public sealed class ResponseEventEntity
{
    public required string ResponseId { get; set; }
    public int SequenceNumber { get; set; }
    public required string Json { get; set; }
}

public sealed class ConversationEntity : IOwnedByCaller
{
    public required string Id { get; set; }
    public required string OwnerId { get; set; }
    public string? AssistantId { get; set; }
    public string? CreatedByKeyId { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public string MetadataJson { get; set; } = "{}";
}

/// <summary>An item of a conversation (the same id as the response item it came from, when it came from one).</summary>
public sealed class ConversationItemEntity : IItemRow
{
    public required string Id { get; set; }
    public long Seq { get; set; }
    public required string ConversationId { get; set; }
    public required string Json { get; set; }
}
