using DocumentService.Model;
using DocumentService.Services;
using DocumentService.Services.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Lists;

namespace DocumentService.Apis;

/// <summary>
/// OpenAI's File object. Its optional `expires_at` and `status_details` are left out: files here never expire and have
/// no status to explain, and the SDKs' types allow those fields absent but not null. Everything stored is processed:
/// an upload is extracted and embedded before its row is committed. An assistant's document is a file of purpose
/// `assistants`, the purpose OpenAI gives files that file_search reads.
/// </summary>
public sealed record FileObject(string Id, string Object, long Bytes, long CreatedAt, string Filename, string Purpose, string Status)
{
    public static FileObject From(Document d) =>
        new(d.Id, "file", d.Bytes, d.CreatedAt, d.Filename, d.AssistantId is null ? d.Kind : "assistants", "processed");
}

public sealed record FileList(string Object, IReadOnlyList<FileObject> Data, string? FirstId, string? LastId, bool HasMore);

public sealed record FileDeleted(string Id, string Object, bool Deleted);

/// <summary>
/// /v1/files in OpenAI's shapes, so the official SDKs work with only the base URL changed. Files belong to the user
/// who uploaded them: the user's own session sees them all, an API key scoped to assistants the ones it uploaded itself. Errors come out as
/// OpenAI's error body (ServiceDefaults does that for /v1 routes). An assistant's document (`doc_`) can be read here
/// too, by whoever may read it under /api/documents, because citations and file_search results name it as a file;
/// it is not listed and not deleted here (/api/documents owns it).
/// </summary>
public static class FilesApi
{
    private static readonly HashSet<string> Purposes = new(StringComparer.Ordinal)
    {
        "assistants", "batch", "fine-tune", "vision", "user_data", "evals",
    };

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/files").WithTags("Files");
        api.MapPost("/", UploadAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{file_id}", GetAsync);
        api.MapGet("/{file_id}/content", ContentAsync);
        api.MapDelete("/{file_id}", DeleteAsync);
        return app;
    }

    public static async Task<Ok<FileObject>> UploadAsync(
        HttpRequest request, CallerIdentity caller, DocumentStore store, IOptions<DocumentsOptions> options, CancellationToken cancellationToken)
    {
        var form = await UploadReader.ReadAsync(request, options.Value.MaxUploadBytes, cancellationToken);
        var purpose = form.Field("purpose");
        if (purpose is null || !Purposes.Contains(purpose))
        {
            throw new ApiException(StatusCodes.Status400BadRequest,
                $"'purpose' must be one of: {string.Join(", ", Purposes)}.", "Bad request", "invalid_purpose") { Param = "purpose" };
        }
        var file = form.File ?? throw new ApiException(StatusCodes.Status400BadRequest, "A file is required in the part named 'file'.", "Bad request") { Param = "file" };
        var stored = await store.CreateFileAsync(caller, purpose, file, cancellationToken);
        return TypedResults.Ok(FileObject.From(stored));
    }

    /// <summary>OpenAI's cursor pagination: `after` an id, `limit` (1..10000, default 10000), `order` by created_at.</summary>
    public static async Task<FileList> ListAsync(
        string? purpose, int? limit, string? order, string? after, CallerIdentity caller, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(limit, order, after, before: null, maxLimit: 10000, defaultLimit: 10000);
        var query = Visible(db, caller);
        if (purpose is { Length: > 0 })
        {
            query = query.Where(d => d.Kind == purpose);
        }
        var (rows, hasMore) = list.PageOf(await query.ToListAsync(cancellationToken), d => d.Id, d => d.CreatedAt);
        var page = rows.Select(FileObject.From).ToList();
        return new FileList("list", page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, hasMore);
    }

    public static async Task<FileObject> GetAsync(string file_id, CallerIdentity caller, DocumentsDbContext db, CancellationToken cancellationToken) =>
        FileObject.From(await FindReadableAsync(db, file_id, caller, cancellationToken));

    public static async Task<FileStreamHttpResult> ContentAsync(
        string file_id, CallerIdentity caller, DocumentsDbContext db, IBlobStore blobs, CancellationToken cancellationToken) =>
        await FileContent.OpenAsync(await FindReadableAsync(db, file_id, caller, cancellationToken), blobs, cancellationToken);

    public static async Task<FileDeleted> DeleteAsync(
        string file_id, CallerIdentity caller, DocumentsDbContext db, DocumentStore store, CancellationToken cancellationToken)
    {
        var file = await FindAsync(db, file_id, caller, cancellationToken);
        return await store.DeleteAsync(file, cancellationToken) ? new FileDeleted(file.Id, "file", true) : throw NoSuchFile(file_id);
    }

    private static async Task<Document> FindAsync(DocumentsDbContext db, string id, CallerIdentity caller, CancellationToken cancellationToken) =>
        await FileAsync(db, id, caller, cancellationToken) ?? throw NoSuchFile(id);

    /// <summary>A file, or a document the caller may read: what a citation's `file_id` names must be readable here.</summary>
    private static async Task<Document> FindReadableAsync(DocumentsDbContext db, string id, CallerIdentity caller, CancellationToken cancellationToken) =>
        await FileAsync(db, id, caller, cancellationToken)
            ?? await DocumentsApi.FindReadableAsync(db, id, caller, cancellationToken)
            ?? throw NoSuchFile(id);

    private static Task<Document?> FileAsync(DocumentsDbContext db, string id, CallerIdentity caller, CancellationToken cancellationToken) =>
        Visible(db, caller).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);

    private static ApiException NoSuchFile(string id) =>
        new(StatusCodes.Status404NotFound, $"No such File object: {id}", "Not found", "not_found");

    /// <summary>The /v1/files files the caller sees: its own; a scoped key only those it uploaded.</summary>
    public static IQueryable<Document> Visible(DocumentsDbContext db, CallerIdentity caller)
    {
        var query = db.Documents.AsNoTracking().Where(d => d.OwnerId == caller.UserId && d.AssistantId == null);
        if (caller.Assistants is not null)
        {
            var key = caller.KeyId;
            query = query.Where(d => d.CreatedByKeyId == key);
        }
        return query;
    }
}
