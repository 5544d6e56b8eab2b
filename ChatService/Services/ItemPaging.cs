using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Lists;

namespace ChatService.Services;

/// <summary>
/// OpenAI's cursor paging (limit, order, after, before) over items, whose ids do not sort in creation order
/// (<see cref="IItemRow"/>): a cursor id is looked up for its <see cref="IItemRow.Seq"/>, which does. Items are
/// shown as the request's include asks (<see cref="ResponseItems.Shown"/>).
/// </summary>
public static class ItemPaging
{
    public static async Task<ListResponse<JsonNode>> PageAsync<T>(
        IQueryable<T> query, int? limit, string? order, string? after, string? before, int maxLimit, bool searchResults, CancellationToken cancellationToken)
        where T : class, IItemRow
    {
        var list = ListQuery.Read(limit, order, after, before, maxLimit);
        var (take, ascending) = (list.Take, list.Ascending);
        var all = query;
        if (await SeqOfAsync(all, list.After, "after", cancellationToken).ConfigureAwait(false) is { } afterSeq)
        {
            query = ascending ? query.Where(i => i.Seq > afterSeq) : query.Where(i => i.Seq < afterSeq);
        }
        var backwards = false;
        if (await SeqOfAsync(all, list.Before, "before", cancellationToken).ConfigureAwait(false) is { } beforeSeq)
        {
            query = ascending ? query.Where(i => i.Seq < beforeSeq) : query.Where(i => i.Seq > beforeSeq);
            backwards = list.After is null;
        }
        query = ascending != backwards ? query.OrderBy(i => i.Seq) : query.OrderByDescending(i => i.Seq);
        return await Paging.TakePageAsync(query, take, backwards, r => (JsonNode)ResponseItems.Shown(ResponseJson.Parse(r.Json), searchResults), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cursor's position; a cursor that names no item of this list is a 400, not an empty page.</summary>
    private static async Task<long?> SeqOfAsync<T>(IQueryable<T> query, string? id, string param, CancellationToken cancellationToken)
        where T : class, IItemRow
    {
        if (id is null)
        {
            return null;
        }
        var seqs = await query.Where(i => i.Id == id).Select(i => i.Seq).Take(1).ToListAsync(cancellationToken).ConfigureAwait(false);
        return seqs.Count == 1 ? seqs[0] : throw ListQuery.UnknownCursor(param, id);
    }
}
