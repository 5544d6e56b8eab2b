using Microsoft.EntityFrameworkCore;

namespace DocumentService.Services;

public sealed partial class DocumentStore
{
    /// <summary>
    /// Removes everything held for a deleted assistant: its documents with their chunks and blobs, its own vector
    /// store (`vs_` + id) with its attachments, batches and knowledge state. The assistant's own knowledge state stays
    /// as a tombstone that refuses uploads finishing later (<see cref="KnowledgeVersions.Deleted"/>). Files the user
    /// uploaded through /v1/files stay (they are the user's), only detached. Safe to repeat: a second call finds nothing.
    /// </summary>
    public async Task DeleteAssistantAsync(string assistantId, string ownStoreKey, CancellationToken cancellationToken)
    {
        string[] keys = [assistantId, ownStoreKey];
        List<string> blobKeys;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            // First, so that an upload still embedding either committed before (and is read below) or is refused.
            await KnowledgeVersions.MarkDeletedAsync(db, assistantId, cancellationToken).ConfigureAwait(false);
            blobKeys = await db.Documents.Where(d => d.AssistantId == assistantId).Select(d => d.BlobKey)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            await db.Chunks.Where(c => keys.Contains(c.AssistantId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.VectorStoreFiles.Where(f => keys.Contains(f.StoreKey)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.VectorStoreFileBatches.Where(b => keys.Contains(b.StoreKey)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.VectorStores.Where(v => v.Id == ownStoreKey).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            var documents = db.Documents.Where(d => d.AssistantId == assistantId).Select(d => d.Id);
            // A document of this assistant attached to another store leaves that store too.
            await db.Chunks.Where(c => documents.Contains(c.DocumentId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.VectorStoreFiles.Where(f => documents.Contains(f.FileId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.Documents.Where(d => d.AssistantId == assistantId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.KnowledgeStates.Where(k => k.AssistantId == ownStoreKey).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var key in blobKeys)
        {
            await ForgetBlobAsync(key).ConfigureAwait(false);
        }
    }
}
