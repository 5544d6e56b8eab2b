using DocumentService.Services.Extraction;
using DocumentService.Model;
using DocumentService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Access;
using ServiceDefaults.Lists;

namespace DocumentService.Apis;

public sealed record DocumentResponse(
    string Id,
    string Object,
    string AssistantId,
    string Type,
    string Filename,
    string ContentType,
    long Bytes,
    int Version,
    int ChunkCount,
    long CreatedAt,
    long UpdatedAt,
    string? KnowledgeVersion = null)
{
    public static DocumentResponse From(Document d, long? knowledgeVersion = null) => new(
        d.Id, "document", d.AssistantId!, d.Kind, d.Filename, d.ContentType, d.Bytes, d.Version, d.ChunkCount,
        d.CreatedAt, d.UpdatedAt, knowledgeVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

public sealed record DocumentList(string Object, IReadOnlyList<DocumentResponse> Data, string? FirstId, string? LastId, bool HasMore);

/// <summary>
/// An assistant's knowledge documents: rag (searched in passages) or prompt (extra instructions, whole). Uploading
/// or listing checks the assistant with chat-service; a document read by id must be the caller's and, for an API
/// key, of an assistant the key may use. Anything else is 404, as if it did not exist.
/// </summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/documents").WithTags("Documents");
        api.MapPost("/", UploadAsync);
        api.MapGet("/", ListAsync);
        // Ids are constrained to their prefix so a wrong method on /search is a 405, not "no document 'search'".
        api.MapGet("/{id:regex(^doc_)}", GetAsync);
        api.MapGet("/{id:regex(^doc_)}/content", DownloadAsync);
        api.MapPut("/{id:regex(^doc_)}", ReplaceAsync);
        api.MapDelete("/{id:regex(^doc_)}", DeleteAsync);
        return app;
    }

    public static async Task<Created<DocumentResponse>> UploadAsync(
        HttpRequest request, CallerIdentity caller, AssistantAccess access, DocumentStore store,
        IOptions<DocumentsOptions> options, CancellationToken cancellationToken)
    {
        var form = await UploadReader.ReadAsync(request, options.Value.MaxUploadBytes, cancellationToken);
        var assistantId = form.Field("assistant_id") ?? throw Bad("The field 'assistant_id' is required.", "assistant_id");
        var type = RequireType(form.Field("type"));
        var file = form.File ?? throw Bad("A file is required in the part named 'file'.", "file");
        TextExtractor.Sniff(file.Filename, file.MediaType, file.Content);

        await access.EnsureAsync(caller, assistantId, cancellationToken);
        var (document, version) = await store.CreateDocumentAsync(caller.UserId, assistantId, type, file, cancellationToken);
        return TypedResults.Created($"/api/documents/{document.Id}", DocumentResponse.From(document, version));
    }

    /// <summary>Pages as every list does (<see cref="ListQuery"/>: `limit` 1..100, default 20, newest first).</summary>
    public static async Task<DocumentList> ListAsync(
        string? assistant_id, CallerIdentity caller, AssistantAccess access, DocumentsDbContext db, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        var list = ListQuery.Read(limit, order, after, before, maxLimit: 100);
        var query = db.Documents.AsNoTracking().Where(d => d.AssistantId != null);
        if (assistant_id is { Length: > 0 })
        {
            await access.EnsureAsync(caller, assistant_id, cancellationToken);
            query = query.Where(d => d.AssistantId == assistant_id);
        }
        else
        {
            query = query.Where(d => d.OwnerId == caller.UserId);
        }
        var documents = await query.ToListAsync(cancellationToken);
        var (rows, hasMore) = list.PageOf(documents.Where(d => caller.CanUseAssistant(d.AssistantId!)), d => d.Id, d => d.CreatedAt);
        var page = rows.Select(d => DocumentResponse.From(d)).ToList();
        return new DocumentList("list", page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, hasMore);
    }

    public static async Task<DocumentResponse> GetAsync(string id, CallerIdentity caller, DocumentsDbContext db, CancellationToken cancellationToken) =>
        DocumentResponse.From(await FindAsync(db, id, caller, cancellationToken));

    public static async Task<FileStreamHttpResult> DownloadAsync(
        string id, CallerIdentity caller, DocumentsDbContext db, Services.Storage.IBlobStore blobs, CancellationToken cancellationToken)
    {
        var document = await FindAsync(db, id, caller, cancellationToken);
        return await FileContent.OpenAsync(document, blobs, cancellationToken);
    }

    public static async Task<Ok<DocumentResponse>> ReplaceAsync(
        string id, HttpRequest request, CallerIdentity caller, DocumentsDbContext db, DocumentStore store,
        IOptions<DocumentsOptions> options, CancellationToken cancellationToken)
    {
        var document = await FindAsync(db, id, caller, cancellationToken, tracked: true);
        var form = await UploadReader.ReadAsync(request, options.Value.MaxUploadBytes, cancellationToken);
        var type = form.Field("type") is { } given ? RequireType(given) : document.Kind;
        if (form.Field("assistant_id") is { } assistant && assistant != document.AssistantId)
        {
            throw Bad("A document cannot move to another assistant; upload it there instead.", "assistant_id");
        }
        var file = form.File ?? throw Bad("A file is required in the part named 'file'.", "file");
        var (replaced, version) = await store.ReplaceDocumentAsync(document, type, file, cancellationToken);
        return TypedResults.Ok(DocumentResponse.From(replaced, version));
    }

    public static async Task<NoContent> DeleteAsync(string id, CallerIdentity caller, DocumentsDbContext db, DocumentStore store, CancellationToken cancellationToken)
    {
        var document = await FindAsync(db, id, caller, cancellationToken);
        return await store.DeleteAsync(document, cancellationToken) ? TypedResults.NoContent() : throw NoSuchDocument(id);
    }

    private static async Task<Document> FindAsync(DocumentsDbContext db, string id, CallerIdentity caller, CancellationToken cancellationToken, bool tracked = false) =>
        await FindReadableAsync(db, id, caller, cancellationToken, tracked) ?? throw NoSuchDocument(id);

    /// <summary>The assistant's document with this id if the caller may read it (its owner; a key only for its assistants), else null.</summary>
    public static async Task<Document?> FindReadableAsync(
        DocumentsDbContext db, string id, CallerIdentity caller, CancellationToken cancellationToken, bool tracked = false)
    {
        var query = tracked ? db.Documents : db.Documents.AsNoTracking();
        var document = await query.FirstOrDefaultAsync(d => d.Id == id && d.AssistantId != null, cancellationToken);
        return document is not null && document.OwnerId == caller.UserId && caller.CanUseAssistant(document.AssistantId!) ? document : null;
    }

    private static ApiException NoSuchDocument(string id) =>
        new(StatusCodes.Status404NotFound, $"No document found with id '{id}'.", "Not found", "not_found");

    private static string RequireType(string? type) =>
        DocumentKinds.IsDocumentType(type) ? type! : throw Bad("The field 'type' must be 'rag' or 'prompt'.", "type");

    private static ApiException Bad(string message, string param) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_" + param) { Param = param };
}
