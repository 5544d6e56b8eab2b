using ServiceDefaults.Data;
using ServiceDefaults.Identity;
using System.Text.Json;
using DocumentService.Model;
using DocumentService.Services.Extraction;
using DocumentService.Services.Retrieval;
using DocumentService.Services.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Embeddings;
using ServiceDefaults.Caching;
using ServiceDefaults.Access;

namespace DocumentService.Services;

/// <summary>
/// Every change to documents, in one order that leaves nothing half-done: extract and embed in memory (any failure
/// there stores nothing), put the blob under a fresh key, then commit rows, chunks and the knowledge version in one
/// transaction. If the commit fails the new blob is removed; only after it succeeds is an old blob deleted and the
/// change announced on `knowledge-changed`.
/// </summary>
public sealed partial class DocumentStore(
    DocumentsDbContext db,
    IBlobStore blobs,
    TextExtractor extractor,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    IMessageBus bus,
    IOptions<DocumentsOptions> options,
    TimeProvider time,
    ILogger<DocumentStore> logger)
{
    public const string KnowledgeChangedChannel = "knowledge-changed";

    public async Task<(Document Document, long KnowledgeVersion)> CreateDocumentAsync(
        string ownerId, string assistantId, string kind, UploadedFile file, CancellationToken cancellationToken)
    {
        await EnsureRoomAsync(ownerId, file.Content.Length, 0, cancellationToken).ConfigureAwait(false);
        var prepared = await PrepareAsync(kind, file, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var id = Ids.New("doc");
        var document = new Document
        {
            Id = id,
            OwnerId = ownerId,
            AssistantId = assistantId,
            Kind = kind,
            Filename = file.Filename,
            ContentType = prepared.Extracted.ContentType,
            Bytes = file.Content.Length,
            BlobKey = BlobKey(id, 1),
            Text = prepared.Extracted.Text,
            ChunkCount = prepared.Chunks.Count,
            CreatedAt = now,
            UpdatedAt = now,
        };

        await KnowledgeVersions.EnsureRowAsync(db, assistantId, cancellationToken).ConfigureAwait(false);
        await blobs.PutAsync(document.BlobKey, file.Content, document.ContentType, cancellationToken).ConfigureAwait(false);
        long version;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            db.Documents.Add(document);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await ChunkWriter.InsertAsync(db, prepared.ToChunks(id, assistantId), cancellationToken).ConfigureAwait(false);
            version = await KnowledgeVersions.BumpAsync(db, assistantId, cancellationToken).ConfigureAwait(false);
            if (version == KnowledgeVersions.Deleted)
            {
                // Deleted while this upload was embedding: answered like any unknown assistant, and nothing is kept.
                throw AssistantAccess.NotFound(assistantId);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ForgetBlobAsync(document.BlobKey).ConfigureAwait(false);
            throw;
        }
        await AnnounceAsync(assistantId, version).ConfigureAwait(false);
        return (document, version);
    }

    /// <summary>A new version of the same document: new bytes, new chunks; the old chunks go in the same commit.</summary>
    public async Task<(Document Document, long KnowledgeVersion)> ReplaceDocumentAsync(
        Document document, string kind, UploadedFile file, CancellationToken cancellationToken)
    {
        var assistantId = document.AssistantId!;
        await EnsureRoomAsync(document.OwnerId, file.Content.Length, document.Bytes, cancellationToken).ConfigureAwait(false);
        var prepared = await PrepareAsync(kind, file, cancellationToken).ConfigureAwait(false);
        var oldKey = document.BlobKey;
        var newKey = BlobKey(document.Id, document.Version + 1);

        await blobs.PutAsync(newKey, file.Content, prepared.Extracted.ContentType, cancellationToken).ConfigureAwait(false);
        long version;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await db.Chunks.Where(c => c.DocumentId == document.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            document.Version++;
            document.Kind = kind;
            document.Filename = file.Filename;
            document.ContentType = prepared.Extracted.ContentType;
            document.Bytes = file.Content.Length;
            document.BlobKey = newKey;
            document.Text = prepared.Extracted.Text;
            document.ChunkCount = prepared.Chunks.Count;
            document.UpdatedAt = time.GetUtcNow().ToUnixTimeSeconds();
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await ChunkWriter.InsertAsync(db, prepared.ToChunks(document.Id, assistantId), cancellationToken).ConfigureAwait(false);
            version = await KnowledgeVersions.BumpAsync(db, assistantId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The row was deleted while this replacement was embedding: it answers as if it came after the delete.
            await ForgetBlobAsync(newKey).ConfigureAwait(false);
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status404NotFound,
                $"No document found with id '{document.Id}'.", "Not found", "not_found");
        }
        catch
        {
            await ForgetBlobAsync(newKey).ConfigureAwait(false);
            throw;
        }
        await ForgetBlobAsync(oldKey).ConfigureAwait(false);
        await AnnounceAsync(assistantId, version).ConfigureAwait(false);
        return (document, version);
    }

    /// <summary>
    /// Deletes a document or file; a file leaves every vector store it was in, in the same commit. False when another
    /// request deleted it first (the row goes first, so of racing deletes exactly one does the work).
    /// </summary>
    public async Task<bool> DeleteAsync(Document document, CancellationToken cancellationToken)
    {
        var changed = new List<(string Key, long Version)>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await db.Documents.Where(d => d.Id == document.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
            // Read after the row is taken, so an attach that committed just before is among them.
            var stores = await db.VectorStoreFiles.Where(f => f.FileId == document.Id).Select(f => f.StoreKey).ToListAsync(cancellationToken).ConfigureAwait(false);
            await db.Chunks.Where(c => c.DocumentId == document.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.VectorStoreFiles.Where(f => f.FileId == document.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            foreach (var key in stores.Append(document.AssistantId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                changed.Add((key, await KnowledgeVersions.BumpAsync(db, key, cancellationToken).ConfigureAwait(false)));
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await ForgetBlobAsync(document.BlobKey).ConfigureAwait(false);
        foreach (var (key, version) in changed)
        {
            await AnnounceAsync(key, version).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>A /v1/files upload: stored as given (any type), no extraction, no assistant.</summary>
    public async Task<Document> CreateFileAsync(CallerIdentity caller, string purpose, UploadedFile file, CancellationToken cancellationToken)
    {
        EnsureNotEmpty(file);
        await EnsureRoomAsync(caller.UserId, file.Content.Length, 0, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var id = Ids.New("file");
        var contentType = string.IsNullOrWhiteSpace(file.MediaType) ? "application/octet-stream" : file.MediaType!;
        var document = new Document
        {
            Id = id,
            OwnerId = caller.UserId,
            CreatedByKeyId = caller.KeyId,
            Kind = purpose,
            Filename = file.Filename,
            ContentType = contentType.Length > 255 ? "application/octet-stream" : contentType,
            Bytes = file.Content.Length,
            BlobKey = BlobKey(id, 1),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await blobs.PutAsync(document.BlobKey, file.Content, document.ContentType, cancellationToken).ConfigureAwait(false);
        try
        {
            db.Documents.Add(document);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ForgetBlobAsync(document.BlobKey).ConfigureAwait(false);
            throw;
        }
        return document;
    }

    private async Task<Prepared> PrepareAsync(string kind, UploadedFile file, CancellationToken cancellationToken, ChunkSizes? sizes = null)
    {
        EnsureNotEmpty(file);
        if (file.Content.LongLength > options.Value.MaxUploadBytes)
        {
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status413PayloadTooLarge,
                $"The file is larger than the limit of {options.Value.MaxUploadBytes} bytes.", "Payload too large", "file_too_large")
            {
                Param = "file",
            };
        }
        var extracted = await extractor.ExtractAsync(file.Filename, file.MediaType, file.Content, cancellationToken).ConfigureAwait(false);
        if (kind == DocumentKinds.Prompt && extracted.Text.Length > options.Value.MaxPromptTextChars)
        {
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status413PayloadTooLarge,
                $"'{file.Filename}' holds {extracted.Text.Length:N0} characters of text; a prompt document, sent whole with every " +
                $"question, holds at most {options.Value.MaxPromptTextChars:N0}. Upload it as type rag to have it searched instead.",
                "Document too large", "document_too_large")
            {
                Param = "file",
            };
        }
        if (kind != DocumentKinds.Rag)
        {
            // Prompt documents go to the chat service whole; they are never searched.
            return new Prepared(extracted, [], [], "");
        }
        var chunks = TextChunker.Split(extracted.Text, sizes?.Size ?? options.Value.ChunkSize, sizes?.Overlap ?? options.Value.ChunkOverlap);
        var vectors = await EmbeddingFailures.GuardAsync(() => embeddings.GenerateAsync(chunks, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Prepared(extracted, chunks, vectors.Select(v => EmbeddingBytes.ToBytes(v.Vector.Span)).ToList(), embeddings.ModelName());
    }

    /// <summary>Refuses bytes that would take the owner's files past Documents:MaxBytesPerUser (a replacement frees its old bytes).</summary>
    private async Task EnsureRoomAsync(string ownerId, long adding, long freeing, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxBytesPerUser;
        var used = await db.Documents.Where(d => d.OwnerId == ownerId).SumAsync(d => d.Bytes, cancellationToken).ConfigureAwait(false);
        if (used - freeing + adding > limit)
        {
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status403Forbidden,
                $"Storing this file would take your files past their limit of {limit} bytes ({used} in use); delete some first.",
                "Storage limit reached", "storage_quota_exceeded")
            {
                Param = "file",
            };
        }
    }

    private static void EnsureNotEmpty(UploadedFile file)
    {
        if (file.Content.Length == 0)
        {
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status400BadRequest, $"'{file.Filename}' is empty.", "Bad request", "empty_file")
            {
                Param = "file",
            };
        }
    }

    // The change is committed; readers also see the version itself, so a lost announcement only delays them.
    private Task AnnounceAsync(string assistantId, long version) =>
        bus.AnnounceAsync(KnowledgeChangedChannel,
            JsonSerializer.Serialize(new { assistant_id = assistantId, version = version.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            ex => LogAnnounceFailed(logger, ex, assistantId));

    /// <summary>Best effort: an orphan blob wastes space but serves nothing, since no row points at it.</summary>
    private async Task ForgetBlobAsync(string key)
    {
        try
        {
            await blobs.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogBlobDeleteFailed(logger, ex, key);
        }
    }

    private static string BlobKey(string id, int version) => $"{id}/v{version}";

    private sealed record Prepared(ExtractedText Extracted, List<string> Chunks, List<byte[]> Vectors, string Model)
    {
        public List<Chunk> ToChunks(string documentId, string assistantId) =>
            [.. Chunks.Select((text, i) => new Chunk
            {
                DocumentId = documentId,
                AssistantId = assistantId,
                ChunkIndex = i,
                Text = text,
                Embedding = Vectors[i],
                EmbeddingModel = Model,
            })];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce the knowledge change of {AssistantId}")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, string assistantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete blob {Key}")]
    private static partial void LogBlobDeleteFailed(ILogger logger, Exception exception, string key);
}
