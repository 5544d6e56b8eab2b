using DocumentService.Model;
using DocumentService.Services;
using DocumentService.Services.VectorStores;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Access;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Lists;

namespace DocumentService.Apis;

/// <summary>
/// A vector store's files and file batches. Attaching a /v1/files file extracts, chunks and embeds it for this store
/// before answering, so a file is `completed` (or `failed`, with OpenAI's error code) as soon as the call returns and
/// a batch is never still running; cancelling a batch answers it as it is. In an assistant's store its rag documents
/// appear as files too (removing one deletes the document).
/// </summary>
public static class VectorStoreFilesApi
{
    public const int MaxBatchFiles = 500;
    private static readonly string[] Statuses =
        [VectorStoreFileStatus.InProgress, VectorStoreFileStatus.Completed, VectorStoreFileStatus.Failed, VectorStoreFileStatus.Cancelled];

    public static IEndpointRouteBuilder MapVectorStoreFilesApi(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/v1/vector_stores/{vector_store_id}/files").WithTags("Vector stores");
        files.MapPost("/", AttachAsync);
        files.MapGet("/", ListAsync);
        files.MapGet("/{file_id}", GetAsync);
        files.MapPost("/{file_id}", UpdateAsync);
        files.MapDelete("/{file_id}", DeleteAsync);
        files.MapGet("/{file_id}/content", ContentAsync);
        var batches = app.MapGroup("/v1/vector_stores/{vector_store_id}/file_batches").WithTags("Vector stores");
        batches.MapPost("/", CreateBatchAsync);
        batches.MapGet("/{batch_id}", GetBatchAsync);
        batches.MapPost("/{batch_id}/cancel", GetBatchAsync);
        batches.MapGet("/{batch_id}/files", ListBatchFilesAsync);
        return app;
    }

    public static async Task<VectorStoreFileObject> AttachAsync(
        [FromRoute(Name = "vector_store_id")] string id, VectorStoreFileRequest request, CallerIdentity caller, DocumentsDbContext db,
        AssistantAccess access, DocumentStore documents, IOptions<DocumentsOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.FileId))
        {
            throw Bad("'file_id' is required.", "file_id");
        }
        var attributes = AttributesJson.Validate(request.Attributes);
        var (sizes, chunking) = ChunkingStrategy.Parse(request.ChunkingStrategy, options.Value);
        var store = await OpenAsync(id, caller, db, access, cancellationToken);
        var file = (await FindFilesAsync(db, caller, [request.FileId], cancellationToken))[0];
        var row = await documents.AttachAsync(store.Key, file, attributes, chunking, sizes, null, cancellationToken);
        return Describe(store, ToMember(row));
    }

    public static async Task<VectorStoreFileList> ListAsync(
        [FromRoute(Name = "vector_store_id")] string id, CallerIdentity caller, DocumentsDbContext db, AssistantAccess access,
        CancellationToken cancellationToken, int? limit = null, string? order = null, string? after = null, string? before = null, string? filter = null)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        var members = await VectorStoreFiles.MembersAsync(db, store.Key, cancellationToken);
        return Page(store, members, limit, order, after, before, filter);
    }

    public static async Task<VectorStoreFileObject> GetAsync(
        [FromRoute(Name = "vector_store_id")] string id, [FromRoute(Name = "file_id")] string fileId, CallerIdentity caller,
        DocumentsDbContext db, AssistantAccess access, CancellationToken cancellationToken)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        return Describe(store, await MemberAsync(db, store, fileId, cancellationToken));
    }

    public static async Task<VectorStoreFileObject> UpdateAsync(
        [FromRoute(Name = "vector_store_id")] string id, [FromRoute(Name = "file_id")] string fileId, AttributesUpdate request,
        CallerIdentity caller, DocumentsDbContext db, AssistantAccess access, CancellationToken cancellationToken)
    {
        var attributes = AttributesJson.Validate(request.Attributes);
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        var member = await MemberAsync(db, store, fileId, cancellationToken);
        if (member.IsDocument)
        {
            await db.Documents.Where(d => d.Id == fileId).ExecuteUpdateAsync(u => u.SetProperty(d => d.AttributesJson, attributes), cancellationToken);
        }
        else
        {
            await db.VectorStoreFiles.Where(f => f.StoreKey == store.Key && f.FileId == fileId)
                .ExecuteUpdateAsync(u => u.SetProperty(f => f.AttributesJson, attributes), cancellationToken);
        }
        return Describe(store, member with { AttributesJson = attributes });
    }

    public static async Task<VectorStoreFileDeleted> DeleteAsync(
        [FromRoute(Name = "vector_store_id")] string id, [FromRoute(Name = "file_id")] string fileId, CallerIdentity caller,
        DocumentsDbContext db, AssistantAccess access, DocumentStore documents, CancellationToken cancellationToken)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        var member = await MemberAsync(db, store, fileId, cancellationToken);
        var deleted = member.IsDocument
            ? await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == fileId, cancellationToken) is { } document
              && await documents.DeleteAsync(document, cancellationToken)
            : await documents.DetachAsync(store.Key, fileId, cancellationToken);
        return deleted ? new VectorStoreFileDeleted(fileId, true) : throw NotInStore(store, fileId);
    }

    /// <summary>The text the store searches: a document's extracted text, or an attached file's chunks in order.</summary>
    public static async Task<FileContentPage> ContentAsync(
        [FromRoute(Name = "vector_store_id")] string id, [FromRoute(Name = "file_id")] string fileId, CallerIdentity caller,
        DocumentsDbContext db, AssistantAccess access, CancellationToken cancellationToken)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        var member = await MemberAsync(db, store, fileId, cancellationToken);
        if (member.IsDocument)
        {
            var text = await db.Documents.AsNoTracking().Where(d => d.Id == fileId).Select(d => d.Text).FirstAsync(cancellationToken);
            return new FileContentPage([new SearchContent("text", text ?? "")]);
        }
        var chunks = await db.Chunks.AsNoTracking().Where(c => c.AssistantId == store.Key && c.DocumentId == fileId)
            .OrderBy(c => c.ChunkIndex).Select(c => c.Text).ToListAsync(cancellationToken);
        return new FileContentPage(chunks.Select(t => new SearchContent("text", t)).ToList());
    }

    public static async Task<FileBatchObject> CreateBatchAsync(
        [FromRoute(Name = "vector_store_id")] string id, FileBatchRequest request, CallerIdentity caller, DocumentsDbContext db,
        AssistantAccess access, DocumentStore documents, IOptions<DocumentsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.FileIds is { Count: > 0 } && request.Files is { Count: > 0 })
        {
            throw Bad("Give either 'file_ids' or 'files', not both.", "file_ids");
        }
        var shared = AttributesJson.Validate(request.Attributes);
        var sharedChunking = ChunkingStrategy.Parse(request.ChunkingStrategy, options.Value);
        var wanted = request.Files is { Count: > 0 } files
            ? files.Select(f => (FileId: f.FileId ?? "", Attributes: f.Attributes is null ? shared : AttributesJson.Validate(f.Attributes),
                Chunking: f.ChunkingStrategy is null ? sharedChunking : ChunkingStrategy.Parse(f.ChunkingStrategy, options.Value))).ToList()
            : (request.FileIds ?? []).Select(f => (FileId: f ?? "", Attributes: shared, Chunking: sharedChunking)).ToList();
        if (wanted.Count is 0 or > MaxBatchFiles || wanted.Any(w => w.FileId.Length == 0))
        {
            throw Bad($"A batch needs 1 to {MaxBatchFiles} file ids.", "file_ids");
        }
        var store = await OpenAsync(id, caller, db, access, cancellationToken);
        var found = await FindFilesAsync(db, caller, wanted.Select(w => w.FileId).ToList(), cancellationToken);

        var batch = new VectorStoreFileBatch
        {
            Id = Ids.New("vsfb"),
            StoreKey = store.Key,
            Status = VectorStoreFileStatus.InProgress,
            CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
        };
        db.VectorStoreFileBatches.Add(batch);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (file, want) in found.Zip(wanted))
        {
            await documents.AttachAsync(store.Key, file, want.Attributes, want.Chunking.Json, want.Chunking.Sizes, batch.Id, cancellationToken);
        }
        batch.Status = VectorStoreFileStatus.Completed;
        await db.SaveChangesAsync(cancellationToken);
        return await DescribeBatchAsync(db, store, batch, cancellationToken);
    }

    public static async Task<FileBatchObject> GetBatchAsync(
        [FromRoute(Name = "vector_store_id")] string id, [FromRoute(Name = "batch_id")] string batchId, CallerIdentity caller,
        DocumentsDbContext db, AssistantAccess access, CancellationToken cancellationToken)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        return await DescribeBatchAsync(db, store, await BatchAsync(db, store, batchId, cancellationToken), cancellationToken);
    }

    public static async Task<VectorStoreFileList> ListBatchFilesAsync(
        [FromRoute(Name = "vector_store_id")] string id, [FromRoute(Name = "batch_id")] string batchId, CallerIdentity caller,
        DocumentsDbContext db, AssistantAccess access, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null, string? filter = null)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        var batch = await BatchAsync(db, store, batchId, cancellationToken);
        var members = (await VectorStoreFiles.MembersAsync(db, store.Key, cancellationToken)).Where(m => m.BatchId == batch.Id);
        return Page(store, members, limit, order, after, before, filter);
    }

    /// <summary>The caller's /v1/files files with these ids, in the same order; any one missing is a 404.</summary>
    public static async Task<List<Document>> FindFilesAsync(DocumentsDbContext db, CallerIdentity caller, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Any(string.IsNullOrWhiteSpace))
        {
            throw Bad("Every file id must be a non-empty string.", "file_ids");
        }
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var found = await FilesApi.Visible(db, caller).Where(d => distinct.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
        var missing = ids.FirstOrDefault(i => !found.ContainsKey(i));
        return missing is null
            ? ids.Select(i => found[i]).ToList()
            : throw new ApiException(StatusCodes.Status404NotFound, $"No such File object: {missing}", "Not found", "not_found");
    }

    /// <summary>A store that takes new files: an expired one does not.</summary>
    private static async Task<VectorStoreRef> OpenAsync(string id, CallerIdentity caller, DocumentsDbContext db, AssistantAccess access, CancellationToken cancellationToken)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        return VectorStoresApi.IsExpired(store.Row, TimeProvider.System)
            ? throw Bad($"Vector store '{id}' has expired.", "vector_store")
            : store;
    }

    private static async Task<StoreMember> MemberAsync(DocumentsDbContext db, VectorStoreRef store, string fileId, CancellationToken cancellationToken) =>
        (await VectorStoreFiles.MembersAsync(db, store.Key, cancellationToken)).FirstOrDefault(m => m.FileId == fileId)
            ?? throw NotInStore(store, fileId);

    private static async Task<VectorStoreFileBatch> BatchAsync(DocumentsDbContext db, VectorStoreRef store, string batchId, CancellationToken cancellationToken) =>
        await db.VectorStoreFileBatches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId && b.StoreKey == store.Key, cancellationToken)
            ?? throw new ApiException(StatusCodes.Status404NotFound, $"No file batch '{batchId}' in vector store '{store.Id}'.", "Not found", "not_found");

    private static async Task<FileBatchObject> DescribeBatchAsync(DocumentsDbContext db, VectorStoreRef store, VectorStoreFileBatch batch, CancellationToken cancellationToken)
    {
        var statuses = await db.VectorStoreFiles.AsNoTracking().Where(f => f.StoreKey == store.Key && f.BatchId == batch.Id)
            .Select(f => f.Status).ToListAsync(cancellationToken);
        return new FileBatchObject(batch.Id, batch.CreatedAt, store.Id, batch.Status, FileCounts.Of(statuses));
    }

    private static VectorStoreFileList Page(
        VectorStoreRef store, IEnumerable<StoreMember> members, int? limit, string? order, string? after, string? before, string? filter)
    {
        if (filter is not null && !Statuses.Contains(filter))
        {
            throw Bad($"'filter' must be one of: {string.Join(", ", Statuses)}.", "filter");
        }
        var (page, hasMore) = ListQuery.Read(limit, order, after, before, maxLimit: 100)
            .PageOf(members.Where(m => filter is null || m.Status == filter), m => m.FileId, m => m.CreatedAt);
        var data = page.Select(m => Describe(store, m)).ToList();
        return new VectorStoreFileList(data, data.FirstOrDefault()?.Id, data.LastOrDefault()?.Id, hasMore);
    }

    private static VectorStoreFileObject Describe(VectorStoreRef store, StoreMember m) => new(
        m.FileId, m.UsageBytes, m.CreatedAt, store.Id, m.Status,
        m.LastErrorCode is null ? null : new FileError(m.LastErrorCode, m.LastErrorMessage ?? ""),
        AttributesJson.Parse(m.ChunkingJson), AttributesJson.Parse(m.AttributesJson));

    private static StoreMember ToMember(VectorStoreFile f) => new(
        f.FileId, f.Status, f.AttributesJson, f.ChunkingJson, f.UsageBytes, f.LastErrorCode, f.LastErrorMessage, f.BatchId, f.CreatedAt, false);

    private static ApiException NotInStore(VectorStoreRef store, string fileId) =>
        new(StatusCodes.Status404NotFound, $"No file '{fileId}' in vector store '{store.Id}'.", "Not found", "not_found");

    private static ApiException Bad(string message, string param) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_" + param) { Param = param };
}
