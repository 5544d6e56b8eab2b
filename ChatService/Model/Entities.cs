namespace ChatService.Model;

/// <summary>An assistant as stored: owned by one user, described by OpenAI's Assistant fields.</summary>
public sealed class AssistantEntity : ChatService.Services.IHasId
{
    public required string Id { get; set; }
    public required string OwnerId { get; set; }
    public long CreatedAt { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public required string Model { get; set; }
    public string? Instructions { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    /// <summary>JSON object of string values, kept as text so SQLite and PostgreSQL store it alike.</summary>
    public string MetadataJson { get; set; } = "{}";
    public string ToolsJson { get; set; } = "[]";
    /// <summary>tool_resources as given (file_search.vector_store_ids); the assistant's own store is added when shown.</summary>
    public string ToolResourcesJson { get; set; } = "{}";
    /// <summary>response_format as the client gave it (null: "auto"), passed to the model on every run.</summary>
    public string? ResponseFormatJson { get; set; }
    /// <summary>reasoning_effort for the assistant's runs (a run may name its own); null: the model's default.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(16)]
    public string? ReasoningEffort { get; set; }
}

public sealed class ThreadEntity : IOwnedByCaller
{
    public required string Id { get; set; }
    public required string OwnerId { get; set; }
    public long CreatedAt { get; set; }
    public string MetadataJson { get; set; } = "{}";

    /// <summary>
    /// The assistant the thread belongs to: the one of its first run, or of its channel chat. API keys scoped to other
    /// assistants do not see the thread (<see cref="ChatService.Services.Access"/>).
    /// </summary>
    public string? AssistantId { get; set; }

    /// <summary>The API key that made the thread, if one did: until the thread is bound, only that key sees it.</summary>
    public string? CreatedByKeyId { get; set; }

    /// <summary>
    /// What the model's context was built from last time (assistant instructions and knowledge version). When it
    /// changes, the thread starts from fresh context at <see cref="ContextStartMessageId"/>; earlier messages stay
    /// readable but no longer reach the model.
    /// </summary>
    public string? ContextFingerprint { get; set; }
    public string? ContextStartMessageId { get; set; }
    public string ToolResourcesJson { get; set; } = "{}";

    /// <summary>
    /// Who holds the thread's channel turn across replicas, and until when (unix seconds; renewed while it is held):
    /// a channel message asks the model only while it holds the turn (<see cref="ChatService.Services.ThreadTurns"/>).
    /// </summary>
    [System.ComponentModel.DataAnnotations.MaxLength(40)]
    public string? TurnHolder { get; set; }
    public long? TurnUntil { get; set; }
}

public sealed class MessageEntity : ChatService.Services.IHasId
{
    public required string Id { get; set; }
    public required string ThreadId { get; set; }
    public long CreatedAt { get; set; }
    public required string Role { get; set; }
    public required string Content { get; set; }
    public string Status { get; set; } = "completed";
    public string? AssistantId { get; set; }
    public string? RunId { get; set; }
    public long? CompletedAt { get; set; }
    /// <summary>Why an incomplete message stopped, in OpenAI's words (max_tokens, run_cancelled, run_failed).</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(32)]
    public string? IncompleteReason { get; set; }
    public long? IncompleteAt { get; set; }
    public string MetadataJson { get; set; } = "{}";
    /// <summary>The text's annotations (file_citation) as OpenAI's JSON array.</summary>
    public string AnnotationsJson { get; set; } = "[]";
    /// <summary>The message's attachments as given (`[{file_id, tools}]`), OpenAI's JSON array.</summary>
    public string AttachmentsJson { get; set; } = "[]";

    public void MarkIncomplete(string reason, long at)
    {
        Status = "incomplete";
        CompletedAt = null;
        IncompleteReason = reason;
        IncompleteAt = at;
    }
}

public sealed class RunEntity : ChatService.Services.IHasId
{
    public required string Id { get; set; }
    public required string ThreadId { get; set; }
    public required string AssistantId { get; set; }
    public long CreatedAt { get; set; }
    public required string Status { get; set; }
    public required string Model { get; set; }
    public string? Instructions { get; set; }
    public string? AdditionalInstructions { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public int? MaxCompletionTokens { get; set; }
    /// <summary>Caps the context a turn of the run sends (history is cut to fit, oldest first).</summary>
    public int? MaxPromptTokens { get; set; }
    /// <summary>response_format as the client (or the assistant) gave it; null is "auto".</summary>
    public string? ResponseFormatJson { get; set; }
    public long? StartedAt { get; set; }
    public long? CompletedAt { get; set; }
    public long? FailedAt { get; set; }
    public long? CancelledAt { get; set; }
    public string? LastErrorCode { get; set; }
    public string? LastErrorMessage { get; set; }
    public int? PromptTokens { get; set; }
    public int? CompletionTokens { get; set; }
    public string MetadataJson { get; set; } = "{}";
    /// <summary>The run's tools (the assistant's unless the run overrode them) and tool_choice, as OpenAI's JSON.</summary>
    public string ToolsJson { get; set; } = "[]";
    public string ToolChoiceJson { get; set; } = "\"auto\"";
    /// <summary>reasoning_effort (the run's or its assistant's) and parallel_tool_calls as asked; null: not asked.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(16)]
    public string? ReasoningEffort { get; set; }
    public bool? ParallelToolCalls { get; set; }
    /// <summary>truncation_strategy "last_messages": only this many of the thread's last messages reach the model; null is "auto".</summary>
    public int? TruncationLastMessages { get; set; }
    /// <summary>required_action while the run waits for tool outputs; it expires at <see cref="ExpiresAt"/>.</summary>
    public string? RequiredActionJson { get; set; }
    public long? ExpiresAt { get; set; }
    public long? ExpiredAt { get; set; }
    /// <summary>
    /// Until when (unix seconds) the process executing the run, or about to, holds it; renewed while it does. A queued,
    /// in_progress or cancelling run whose lease ran out was left by a process that stopped (<see cref="ChatService.Services.RunLeaseKeeper"/>).
    /// </summary>
    public long? LeaseExpiresAt { get; set; }
}

/// <summary>A step of a run: the message it created, or the tool calls it made (file search results, function calls and outputs).</summary>
public sealed class RunStepEntity : ChatService.Services.IHasId
{
    public required string Id { get; set; }
    public required string RunId { get; set; }
    public required string ThreadId { get; set; }
    public required string AssistantId { get; set; }
    public required string Type { get; set; }
    public required string Status { get; set; }
    /// <summary>step_details as OpenAI's JSON (file search results keep their content; the API shows it on request).</summary>
    public required string DetailsJson { get; set; }
    public long CreatedAt { get; set; }
    public long? CompletedAt { get; set; }
    public long? CancelledAt { get; set; }
    public long? FailedAt { get; set; }
    public long? ExpiredAt { get; set; }
}

/// <summary>A channel conversation (one per assistant and channel id), answered through its own thread.</summary>
public sealed class ChatEntity : ChatService.Services.IHasId
{
    public required string Id { get; set; }
    public required string OwnerId { get; set; }
    public required string AssistantId { get; set; }
    public required string ChannelId { get; set; }
    public required string ChannelService { get; set; }
    public string? Username { get; set; }
    public required string ThreadId { get; set; }
    public bool Active { get; set; } = true;
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

public sealed class ChatEntryEntity : ChatService.Services.IHasId
{
    public required string Id { get; set; }
    public required string ChatId { get; set; }
    public string? Username { get; set; }
    public required string Message { get; set; }
    public string? Response { get; set; }
    public int TokensIn { get; set; }
    public int TokensOut { get; set; }
    public bool Active { get; set; }
    public bool Cached { get; set; }
    public long CreatedAt { get; set; }
}
