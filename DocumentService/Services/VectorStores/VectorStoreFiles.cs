using System.Text.Json;
using DocumentService.Model;
using Microsoft.EntityFrameworkCore;

namespace DocumentService.Services.VectorStores;

/// <summary>A file of a vector store as the API shows it, whether attached from /v1/files or an assistant's document.</summary>
public sealed record StoreMember(
    string FileId, string Status, string AttributesJson, string ChunkingJson, long UsageBytes,
    string? LastErrorCode, string? LastErrorMessage, string? BatchId, long CreatedAt, bool IsDocument);

/// <summary>
/// Reads a store's files: the attached ones (vector_store_files rows) and, for an assistant's store, its rag
/// documents. usage_bytes counts what the store keeps for search: each chunk's characters and its embedding's bytes.
/// </summary>
public static class VectorStoreFiles
{
    /// <summary>OpenAI's chunking_strategy for files chunked by other means (here: as an assistant's document).</summary>
    public const string OtherChunking = "{\"type\":\"other\"}";

    public static async Task<List<StoreMember>> MembersAsync(DocumentsDbContext db, string key, CancellationToken cancellationToken)
    {
        var members = await db.VectorStoreFiles.AsNoTracking().Where(f => f.StoreKey == key)
            .Select(f => new StoreMember(f.FileId, f.Status, f.AttributesJson, f.ChunkingJson, f.UsageBytes,
                f.LastErrorCode, f.LastErrorMessage, f.BatchId, f.CreatedAt, false))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var documents = await db.Documents.AsNoTracking().Where(d => d.AssistantId == key && d.Kind == DocumentKinds.Rag)
            .Select(d => new { d.Id, d.AttributesJson, d.CreatedAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (documents.Count > 0)
        {
            var ids = documents.Select(d => d.Id).ToList();
            var usage = await db.Chunks.AsNoTracking().Where(c => c.AssistantId == key && ids.Contains(c.DocumentId))
                .GroupBy(c => c.DocumentId)
                .Select(g => new { g.Key, Bytes = g.Sum(c => (long)c.Text.Length + c.Embedding.Length) })
                .ToDictionaryAsync(g => g.Key, g => g.Bytes, cancellationToken).ConfigureAwait(false);
            members.AddRange(documents.Select(d => new StoreMember(d.Id, VectorStoreFileStatus.Completed, d.AttributesJson ?? "{}", OtherChunking,
                usage.GetValueOrDefault(d.Id), null, null, null, d.CreatedAt, true)));
        }
        return members;
    }

    /// <summary>The attributes of every searchable (completed) file of the store.</summary>
    public static async Task<Dictionary<string, IReadOnlyDictionary<string, JsonElement>>> AttributesAsync(
        DocumentsDbContext db, string key, CancellationToken cancellationToken)
    {
        var attached = await db.VectorStoreFiles.AsNoTracking()
            .Where(f => f.StoreKey == key && f.Status == VectorStoreFileStatus.Completed)
            .Select(f => new { f.FileId, Json = (string?)f.AttributesJson })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var documents = await db.Documents.AsNoTracking().Where(d => d.AssistantId == key && d.Kind == DocumentKinds.Rag)
            .Select(d => new { FileId = d.Id, Json = d.AttributesJson })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return attached.Concat(documents).ToDictionary(f => f.FileId, f => AttributesJson.Read(f.Json), StringComparer.Ordinal);
    }
}
