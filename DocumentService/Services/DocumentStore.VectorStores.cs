using DocumentService.Model;
using DocumentService.Services.VectorStores;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Errors;

namespace DocumentService.Services;

/// <summary>Chunk size and overlap in characters.</summary>
public sealed record ChunkSizes(int Size, int Overlap);

/// <summary>
/// Files in vector stores, in the same all-or-nothing order as documents: extract, chunk and embed in memory, then one
/// transaction for the file's row, its chunks (under the store's key) and the store's knowledge version. A file the
/// service cannot read is recorded as failed with OpenAI's error codes, and nothing of it is searched.
/// </summary>
public sealed partial class DocumentStore
{
    public async Task<VectorStoreFile> AttachAsync(
        string storeKey, Document file, string attributesJson, string chunkingJson, ChunkSizes? sizes, string? batchId, CancellationToken cancellationToken)
    {
        var existing = await db.VectorStoreFiles.AsNoTracking()
            .FirstOrDefaultAsync(f => f.StoreKey == storeKey && f.FileId == file.Id, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }
        var row = new VectorStoreFile
        {
            StoreKey = storeKey,
            FileId = file.Id,
            Status = VectorStoreFileStatus.Completed,
            AttributesJson = attributesJson,
            ChunkingJson = chunkingJson,
            BatchId = batchId,
            CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
        };

        Prepared prepared;
        try
        {
            var content = await ReadBlobAsync(file, cancellationToken).ConfigureAwait(false);
            prepared = await PrepareAsync(DocumentKinds.Rag, new UploadedFile(file.Filename, file.ContentType, content), cancellationToken, sizes).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.StatusCode is >= 400 and < 500)
        {
            row.Status = VectorStoreFileStatus.Failed;
            row.LastErrorCode = ex.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "unsupported_file" : "invalid_file";
            row.LastErrorMessage = ex.Message;
            db.VectorStoreFiles.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                if (await AttachedMeanwhileAsync(row, cancellationToken).ConfigureAwait(false) is { } attached)
                {
                    return attached;
                }
                throw;
            }
            return row;
        }

        var chunks = prepared.ToChunks(file.Id, storeKey);
        row.UsageBytes = chunks.Sum(c => (long)c.Text.Length + c.Embedding.Length);
        long version;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            // No-op updates take the file's row and a named store's row, as their deletes do first: each is either
            // deleted after this commits (and its delete removes this attachment) or gone by now, and nothing is kept.
            if (await db.Documents.Where(d => d.Id == file.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.UpdatedAt, d => d.UpdatedAt), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new ApiException(StatusCodes.Status404NotFound, $"No such File object: {file.Id}", "Not found", "not_found");
            }
            if (storeKey.StartsWith(VectorStoreRef.Prefix, StringComparison.Ordinal)
                && await db.VectorStores.Where(v => v.Id == storeKey)
                    .ExecuteUpdateAsync(s => s.SetProperty(v => v.LastActiveAt, v => v.LastActiveAt), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw VectorStoreRef.NotFound(storeKey);
            }
            // Only now, so that a deleted store's state does not come back; ON CONFLICT DO NOTHING never fails the
            // transaction. An assistant's store (keyed by the assistant) finds its tombstone instead.
            await KnowledgeVersions.EnsureRowAsync(db, storeKey, cancellationToken).ConfigureAwait(false);
            version = await KnowledgeVersions.BumpAsync(db, storeKey, cancellationToken).ConfigureAwait(false);
            if (version == KnowledgeVersions.Deleted)
            {
                throw VectorStoreRef.NotFound(VectorStoreRef.ForAssistant(storeKey));
            }
            row.Generation = version;
            db.VectorStoreFiles.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Nothing of this call is kept; PostgreSQL answers nothing more in a failed transaction.
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                if (await AttachedMeanwhileAsync(row, cancellationToken).ConfigureAwait(false) is { } attached)
                {
                    return attached;
                }
                throw;
            }
            await ChunkWriter.InsertAsync(db, chunks, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await AnnounceAsync(storeKey, version).ConfigureAwait(false);
        return row;
    }

    /// <summary>
    /// The same file attached to the same store by a call running at the same time: the key (store, file) lets one
    /// in, and every other call answers with that one, as a repeated attach does.
    /// </summary>
    private async Task<VectorStoreFile?> AttachedMeanwhileAsync(VectorStoreFile mine, CancellationToken cancellationToken)
    {
        db.Entry(mine).State = EntityState.Detached;
        return await db.VectorStoreFiles.AsNoTracking()
            .FirstOrDefaultAsync(f => f.StoreKey == mine.StoreKey && f.FileId == mine.FileId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes a file out of one store: its chunks there go, the file itself stays. False when another request took it
    /// out first.
    /// </summary>
    public async Task<bool> DetachAsync(string storeKey, string fileId, CancellationToken cancellationToken)
    {
        long version;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await db.VectorStoreFiles.Where(f => f.StoreKey == storeKey && f.FileId == fileId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
            await db.Chunks.Where(c => c.AssistantId == storeKey && c.DocumentId == fileId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            version = await KnowledgeVersions.BumpAsync(db, storeKey, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await AnnounceAsync(storeKey, version).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Deletes a vector store with its files' chunks, batches and knowledge state; the files themselves stay. False
    /// when another request deleted it first.
    /// </summary>
    public async Task<bool> DeleteVectorStoreAsync(string id, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await db.VectorStores.Where(v => v.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return false;
        }
        await db.Chunks.Where(c => c.AssistantId == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.VectorStoreFiles.Where(f => f.StoreKey == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.VectorStoreFileBatches.Where(b => b.StoreKey == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        // Store ids are never reused, so no version can repeat: the row goes rather than outlive its store.
        await db.KnowledgeStates.Where(k => k.AssistantId == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<byte[]> ReadBlobAsync(Document file, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(file.BlobKey, cancellationToken).ConfigureAwait(false)
            ?? throw new ApiException(StatusCodes.Status400BadRequest, $"The content of '{file.Id}' is missing from storage.", "Bad request", "invalid_file");
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
