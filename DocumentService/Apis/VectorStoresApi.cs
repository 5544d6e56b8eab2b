using System.Text.Json;
using DocumentService.Model;
using DocumentService.Services;
using DocumentService.Services.VectorStores;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Access;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Lists;

namespace DocumentService.Apis;

/// <summary>
/// /v1/vector_stores in OpenAI's shapes. A store belongs to the user who made it (a scoped API key sees only the ones
/// it made); an assistant's documents are the store `vs_` + the assistant's id, reachable by whoever may use the
/// assistant, named after it and gone with it (it cannot be renamed or deleted here, and is not listed).
/// </summary>
public static class VectorStoresApi
{
    private const int SecondsPerDay = 86_400;

    public static IEndpointRouteBuilder MapVectorStoresApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/vector_stores").WithTags("Vector stores");
        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{vector_store_id}", GetAsync);
        api.MapPost("/{vector_store_id}", ModifyAsync);
        api.MapDelete("/{vector_store_id}", DeleteAsync);
        return app;
    }

    public static async Task<VectorStoreObject> CreateAsync(
        VectorStoreRequest request, CallerIdentity caller, DocumentsDbContext db, DocumentStore store,
        IOptions<DocumentsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var row = new VectorStore
        {
            Id = VectorStoreRef.NewId(),
            OwnerId = caller.UserId,
            CreatedByKeyId = caller.KeyId,
            Name = Name(request.Name),
            Description = Description(request.Description),
            MetadataJson = Metadata(request.Metadata),
            ExpiresAfterDays = ExpiryDays(request.ExpiresAfter),
            CreatedAt = now,
            LastActiveAt = now,
        };
        var (sizes, chunking) = ChunkingStrategy.Parse(request.ChunkingStrategy, options.Value);
        var files = await VectorStoreFilesApi.FindFilesAsync(db, caller, request.FileIds ?? [], cancellationToken);
        db.VectorStores.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var file in files)
        {
            await store.AttachAsync(row.Id, file, "{}", chunking, sizes, null, cancellationToken);
        }
        return await DescribeAsync(db, new VectorStoreRef(row.Id, row.Id, row), time, cancellationToken);
    }

    public static async Task<VectorStoreList> ListAsync(
        CallerIdentity caller, DocumentsDbContext db, TimeProvider time, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        var rows = await VectorStoreRef.Visible(db.VectorStores.AsNoTracking(), caller).ToListAsync(cancellationToken);
        var (page, hasMore) = ListQuery.Read(limit, order, after, before, maxLimit: 100).PageOf(rows, r => r.Id, r => r.CreatedAt);
        var data = new List<VectorStoreObject>(page.Count);
        foreach (var row in page)
        {
            data.Add(await DescribeAsync(db, new VectorStoreRef(row.Id, row.Id, row), time, cancellationToken));
        }
        return new VectorStoreList(data, data.FirstOrDefault()?.Id, data.LastOrDefault()?.Id, hasMore);
    }

    public static async Task<VectorStoreObject> GetAsync(
        [FromRoute(Name = "vector_store_id")] string id, CallerIdentity caller, DocumentsDbContext db, AssistantAccess access,
        TimeProvider time, CancellationToken cancellationToken) =>
        await DescribeAsync(db, await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken), time, cancellationToken);

    public static async Task<VectorStoreObject> ModifyAsync(
        [FromRoute(Name = "vector_store_id")] string id, VectorStoreRequest request, CallerIdentity caller, DocumentsDbContext db,
        AssistantAccess access, TimeProvider time, CancellationToken cancellationToken)
    {
        RefuseCreateOnlyFields(request, id);
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken, tracked: true);
        var row = store.Row ?? throw AssistantStore(id);
        if (request.Name is not null)
        {
            row.Name = Name(request.Name);
        }
        if (request.Metadata is { ValueKind: not JsonValueKind.Null })
        {
            row.MetadataJson = Metadata(request.Metadata);
        }
        if (request.ExpiresAfter is { ValueKind: not JsonValueKind.Null })
        {
            row.ExpiresAfterDays = ExpiryDays(request.ExpiresAfter);
        }
        row.LastActiveAt = time.GetUtcNow().ToUnixTimeSeconds();
        await db.SaveChangesAsync(cancellationToken);
        return await DescribeAsync(db, store, time, cancellationToken);
    }

    public static async Task<VectorStoreDeleted> DeleteAsync(
        [FromRoute(Name = "vector_store_id")] string id, CallerIdentity caller, DocumentsDbContext db, AssistantAccess access,
        DocumentStore documents, CancellationToken cancellationToken)
    {
        var store = await VectorStoreRef.FindAsync(id, caller, db, access, cancellationToken);
        if (store.Row is null)
        {
            throw AssistantStore(id);
        }
        return await documents.DeleteVectorStoreAsync(store.Id, cancellationToken)
            ? new VectorStoreDeleted(store.Id, true)
            : throw VectorStoreRef.NotFound(store.Id);
    }

    public static async Task<VectorStoreObject> DescribeAsync(DocumentsDbContext db, VectorStoreRef store, TimeProvider time, CancellationToken cancellationToken)
    {
        var members = await VectorStoreFiles.MembersAsync(db, store.Key, cancellationToken);
        var counts = FileCounts.Of(members.Select(m => m.Status));
        var usage = members.Sum(m => m.UsageBytes);
        if (store.Row is not { } row)
        {
            var created = members.Count > 0 ? members.Min(m => m.CreatedAt) : time.GetUtcNow().ToUnixTimeSeconds();
            var metadata = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["assistant_id"] = store.Key });
            return new VectorStoreObject(store.Id, created, store.Key, usage, counts, Status(counts, null, time), null, null, null, metadata);
        }
        long? expiresAt = row.ExpiresAfterDays is { } days ? row.LastActiveAt + (long)days * SecondsPerDay : null;
        return new VectorStoreObject(row.Id, row.CreatedAt, row.Name, usage, counts, Status(counts, expiresAt, time),
            row.ExpiresAfterDays is { } d ? new ExpiresAfter("last_active_at", d) : null, expiresAt, row.LastActiveAt,
            AttributesJson.Parse(row.MetadataJson), row.Description);
    }

    public static bool IsExpired(VectorStore? row, TimeProvider time) =>
        row?.ExpiresAfterDays is { } days && row.LastActiveAt + (long)days * SecondsPerDay < time.GetUtcNow().ToUnixTimeSeconds();

    private static string Status(FileCounts counts, long? expiresAt, TimeProvider time) =>
        expiresAt is { } at && at < time.GetUtcNow().ToUnixTimeSeconds() ? "expired"
        : counts.InProgress > 0 ? "in_progress"
        : "completed";

    /// <summary>
    /// OpenAI's update takes name, expires_after and metadata only. The create's other fields would otherwise be read,
    /// left out and answered with 200, as if the store's files or chunking had changed.
    /// </summary>
    private static void RefuseCreateOnlyFields(VectorStoreRequest request, string id)
    {
        const string Takes = "A vector store's update takes name, expires_after and metadata only";
        if (request.FileIds is not null)
        {
            throw RequestErrors.UnknownParameter("file_ids", $"{Takes}; add files with POST /v1/vector_stores/{id}/files or /file_batches.");
        }
        if (request.ChunkingStrategy is not null)
        {
            throw RequestErrors.UnknownParameter("chunking_strategy",
                $"{Takes}; a file's chunking is set when it is added (POST /v1/vector_stores/{id}/files with chunking_strategy).");
        }
        if (request.Description is not null)
        {
            throw RequestErrors.UnknownParameter("description", $"{Takes}.");
        }
    }

    private static string? Name(string? name) =>
        name is { Length: > 256 } ? throw Bad("'name' may be at most 256 characters.", "name") : name;

    private static string? Description(string? description) =>
        description is { Length: > 512 } ? throw Bad("'description' may be at most 512 characters.", "description") : description;

    private static string Metadata(JsonElement? metadata)
    {
        if (metadata is not { ValueKind: JsonValueKind.Object } m)
        {
            return metadata is null or { ValueKind: JsonValueKind.Null } ? "{}" : throw Bad("'metadata' must be an object.", "metadata");
        }
        var properties = m.EnumerateObject().ToList();
        if (properties.Count > 16 || properties.Any(p => p.Name.Length > 64 || p.Value.ValueKind != JsonValueKind.String || p.Value.GetString()!.Length > 512))
        {
            throw Bad("'metadata' may have at most 16 keys of up to 64 characters, with string values of up to 512.", "metadata");
        }
        return m.GetRawText();
    }

    private static int? ExpiryDays(JsonElement? expiresAfter)
    {
        if (expiresAfter is null or { ValueKind: JsonValueKind.Null })
        {
            return null;
        }
        var value = expiresAfter.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("anchor", out var anchor) || anchor.ValueKind != JsonValueKind.String || anchor.GetString() != "last_active_at"
            || !value.TryGetProperty("days", out var days) || days.ValueKind != JsonValueKind.Number || !days.TryGetInt32(out var n) || n is < 1 or > 365)
        {
            throw Bad("'expires_after' must be {\"anchor\":\"last_active_at\",\"days\":1..365}.", "expires_after");
        }
        return n;
    }

    private static ApiException AssistantStore(string id) => new(StatusCodes.Status400BadRequest,
        $"'{id}' holds an assistant's documents: it is named after the assistant and goes with it.", "Bad request", "assistant_vector_store");

    private static ApiException Bad(string message, string param) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_" + param) { Param = param };
}
