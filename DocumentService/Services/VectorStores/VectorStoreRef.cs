using DocumentService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Access;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace DocumentService.Services.VectorStores;

/// <summary>
/// A vector store the caller may reach. <see cref="Key"/> is what its chunks and files are stored under: the store's
/// own id, or, for an assistant's store (`vs_` + the assistant's id, e.g. `vs_asst_1a2b`), the assistant's id, so the
/// assistant's documents and the files attached to that store are one index. <see cref="Row"/> is null for an
/// assistant's store: it exists as long as the assistant does.
/// </summary>
public sealed record VectorStoreRef(string Id, string Key, VectorStore? Row)
{
    public const string Prefix = "vs_";
    private const string AssistantPrefix = "vs_asst_";

    public string? AssistantId => Row is null ? Key : null;

    /// <summary>The vector store id under which an assistant's own documents appear.</summary>
    public static string ForAssistant(string assistantId) => Prefix + assistantId;

    /// <summary>A store of its own: its id never starts like an assistant's store, since the id's clock part is hex.</summary>
    public static string NewId() => Ids.New(Prefix.TrimEnd('_'));

    /// <summary>The store, if the caller may reach it: its own (a scoped key: those it made) or an assistant's it may use. Else 404.</summary>
    public static async Task<VectorStoreRef> FindAsync(
        string id, CallerIdentity caller, DocumentsDbContext db, AssistantAccess access, CancellationToken cancellationToken, bool tracked = false)
    {
        if (id.StartsWith(AssistantPrefix, StringComparison.Ordinal))
        {
            var assistantId = id[Prefix.Length..];
            try
            {
                await access.EnsureAsync(caller, assistantId, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException ex) when (ex.StatusCode == StatusCodes.Status404NotFound)
            {
                throw NotFound(id);
            }
            return new VectorStoreRef(id, assistantId, null);
        }
        var query = tracked ? db.VectorStores : db.VectorStores.AsNoTracking();
        var row = await Visible(query, caller).FirstOrDefaultAsync(v => v.Id == id, cancellationToken).ConfigureAwait(false)
            ?? throw NotFound(id);
        return new VectorStoreRef(row.Id, row.Id, row);
    }

    public static IQueryable<VectorStore> Visible(IQueryable<VectorStore> stores, CallerIdentity caller)
    {
        var query = stores.Where(v => v.OwnerId == caller.UserId);
        if (caller.Assistants is not null)
        {
            var key = caller.KeyId;
            query = query.Where(v => v.CreatedByKeyId == key);
        }
        return query;
    }

    public static ApiException NotFound(string id) =>
        new(StatusCodes.Status404NotFound, $"No vector store found with id '{Printable(id)}'.", "Not found", "not_found");

    private static string Printable(string id) => new(id.Where(c => !char.IsControl(c)).Take(128).ToArray());
}
