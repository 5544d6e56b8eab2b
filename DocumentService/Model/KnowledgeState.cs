namespace DocumentService.Model;

/// <summary>
/// The knowledge version of one assistant: a counter bumped in the same transaction as any change to its documents,
/// so that readers (the chat and intent-cache services, the search index) see a new value exactly when the content
/// changed. An assistant's row is never deleted, so a version is never reused: when the assistant goes, its row stays
/// as a tombstone (<see cref="Services.KnowledgeVersions.Deleted"/>). A vector store's row goes with the store (store ids
/// are never reused either).
/// </summary>
public sealed class KnowledgeState
{
    public required string AssistantId { get; set; }

    public long Version { get; set; }
}
