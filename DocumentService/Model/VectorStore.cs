namespace DocumentService.Model;

/// <summary>
/// An OpenAI vector store (`vs_`): a named set of /v1/files files, each chunked and embedded for this store. An
/// assistant's own documents are a vector store too, but that one has no row here (see VectorStoreIds).
/// </summary>
public sealed class VectorStore
{
    public required string Id { get; set; }

    public required string OwnerId { get; set; }

    /// <summary>The API key that made the store, if one did: other keys of the user do not see it.</summary>
    public string? CreatedByKeyId { get; set; }

    public string? Name { get; set; }

    /// <summary>OpenAI's create-only `description` of the store's purpose.</summary>
    public string? Description { get; set; }

    public string MetadataJson { get; set; } = "{}";

    /// <summary>expires_after: days after last activity (the only anchor OpenAI defines); null means never.</summary>
    public int? ExpiresAfterDays { get; set; }

    public long CreatedAt { get; set; }

    public long LastActiveAt { get; set; }
}

/// <summary>
/// A file in a vector store. <see cref="StoreKey"/> is the index key its chunks carry (Chunk.AssistantId): the store's
/// own id, or the assistant's id for an assistant's store, so the assistant's chat answers search these files too.
/// </summary>
public sealed class VectorStoreFile
{
    public required string StoreKey { get; set; }

    public required string FileId { get; set; }

    public required string Status { get; set; }

    public string AttributesJson { get; set; } = "{}";

    public string ChunkingJson { get; set; } = "{}";

    public long UsageBytes { get; set; }

    public string? BatchId { get; set; }

    public string? LastErrorCode { get; set; }

    public string? LastErrorMessage { get; set; }

    /// <summary>The knowledge version that added the file: names its chunks' segment in the search index.</summary>
    public long Generation { get; set; }

    public long CreatedAt { get; set; }
}

/// <summary>A batch of files attached in one call (`vsfb_`); its counts come from the files that carry its id.</summary>
public sealed class VectorStoreFileBatch
{
    public required string Id { get; set; }

    public required string StoreKey { get; set; }

    public required string Status { get; set; }

    public long CreatedAt { get; set; }
}

public static class VectorStoreFileStatus
{
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}
