using System.Text.Json;
using System.Text.Json.Serialization;
using DocumentService.Model;
using DocumentService.Services.VectorStores;

namespace DocumentService.Apis;

public sealed record FileCounts(int InProgress, int Completed, int Failed, int Cancelled, int Total)
{
    public static FileCounts Of(IEnumerable<string> statuses)
    {
        var list = statuses.ToList();
        return new FileCounts(
            list.Count(s => s == VectorStoreFileStatus.InProgress), list.Count(s => s == VectorStoreFileStatus.Completed),
            list.Count(s => s == VectorStoreFileStatus.Failed), list.Count(s => s == VectorStoreFileStatus.Cancelled), list.Count);
    }
}

public sealed record ExpiresAfter(string Anchor, int Days);

/// <summary>
/// OpenAI's vector store; `expires_after` is optional but never null in the SDKs' types, so a store that never expires
/// has none, and `description` (given on create) is there when the store has one.
/// </summary>
public sealed record VectorStoreObject(
    string Id, long CreatedAt, string? Name, long UsageBytes, FileCounts FileCounts, string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ExpiresAfter? ExpiresAfter, long? ExpiresAt, long? LastActiveAt, JsonElement Metadata,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null)
{
    public string Object => "vector_store";
}

public sealed record VectorStoreList(IReadOnlyList<VectorStoreObject> Data, string? FirstId, string? LastId, bool HasMore)
{
    public string Object => "list";
}

public sealed record VectorStoreDeleted(string Id, bool Deleted)
{
    public string Object => "vector_store.deleted";
}

public sealed record FileError(string Code, string Message);

public sealed record VectorStoreFileObject(
    string Id, long UsageBytes, long CreatedAt, string VectorStoreId, string Status, FileError? LastError,
    JsonElement ChunkingStrategy, JsonElement Attributes)
{
    public string Object => "vector_store.file";
}

public sealed record VectorStoreFileList(IReadOnlyList<VectorStoreFileObject> Data, string? FirstId, string? LastId, bool HasMore)
{
    public string Object => "list";
}

public sealed record VectorStoreFileDeleted(string Id, bool Deleted)
{
    public string Object => "vector_store.file.deleted";
}

public sealed record FileContentPage(IReadOnlyList<SearchContent> Data)
{
    public string Object => "vector_store.file_content.page";
    public bool HasMore => false;
    public string? NextPage => null;
}

public sealed record FileBatchObject(string Id, long CreatedAt, string VectorStoreId, string Status, FileCounts FileCounts)
{
    public string Object => "vector_store.files_batch";
}

/// <summary>Body of create and modify; `expires_after` null on modify clears it, absent leaves it.</summary>
public sealed record VectorStoreRequest(
    string? Name, JsonElement? Metadata, JsonElement? ExpiresAfter, IReadOnlyList<string>? FileIds, JsonElement? ChunkingStrategy, string? Description);

public sealed record VectorStoreFileRequest(string? FileId, JsonElement? Attributes, JsonElement? ChunkingStrategy);

public sealed record AttributesUpdate(JsonElement? Attributes);

/// <summary>`file_ids` with shared attributes and chunking, or `files` each with its own, as OpenAI accepts either.</summary>
public sealed record FileBatchRequest(IReadOnlyList<string>? FileIds, IReadOnlyList<VectorStoreFileRequest>? Files, JsonElement? Attributes, JsonElement? ChunkingStrategy);
