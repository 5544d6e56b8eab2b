using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Lists;

namespace ChatService.Services;

public interface IHasId
{
    string Id { get; }
}

/// <summary>OpenAI's cursor paging (<see cref="ListQuery"/>) over ids that sort in creation order.</summary>
public static class Paging
{
    public static async Task<ListResponse<TOut>> PageAsync<T, TOut>(
        IQueryable<T> query, int? limit, string? order, string? after, string? before, int maxLimit,
        Func<T, TOut> map, CancellationToken cancellationToken)
        where T : class, IHasId
    {
        var list = ListQuery.Read(limit, order, after, before, maxLimit);
        await list.EnsureCursorsExistAsync((id, ct) => query.AnyAsync(e => e.Id == id, ct), cancellationToken).ConfigureAwait(false);
        var (take, ascending) = (list.Take, list.Ascending);
        after = list.After;
        before = list.Before;

        // "after" moves along the listing order, "before" against it.
        if (!string.IsNullOrEmpty(after))
        {
            query = ascending
                ? query.Where(e => string.Compare(e.Id, after) > 0)
                : query.Where(e => string.Compare(e.Id, after) < 0);
        }
        var backwards = false;
        if (!string.IsNullOrEmpty(before))
        {
            query = ascending
                ? query.Where(e => string.Compare(e.Id, before) < 0)
                : query.Where(e => string.Compare(e.Id, before) > 0);
            // The page just before the cursor is the one nearest to it.
            backwards = string.IsNullOrEmpty(after);
        }

        var walkAscending = ascending != backwards;
        query = walkAscending ? query.OrderBy(e => e.Id) : query.OrderByDescending(e => e.Id);
        return await TakePageAsync(query, take, backwards, map, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of an ordered query: one row more than the page tells whether there is more; a page read backwards
    /// (nearest the "before" cursor first) is turned to the listing order.
    /// </summary>
    public static async Task<ListResponse<TOut>> TakePageAsync<T, TOut>(
        IQueryable<T> ordered, int take, bool backwards, Func<T, TOut> map, CancellationToken cancellationToken)
        where T : class, IHasId
    {
        var rows = await ordered.Take(take + 1).AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var hasMore = rows.Count > take;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        if (backwards)
        {
            rows.Reverse();
        }
        return new ListResponse<TOut>(rows.Select(map).ToList(), rows.FirstOrDefault()?.Id, rows.LastOrDefault()?.Id, hasMore);
    }
}
