using ServiceDefaults.Errors;

namespace DocumentService.Services.VectorStores;

/// <summary>OpenAI's cursor paging over an in-memory list: `limit` (1..100, 20), `order` by created_at, `after`/`before` an id.</summary>
public static class CursorPage
{
    public static (List<T> Page, bool HasMore) Of<T>(
        IEnumerable<T> items, Func<T, string> id, Func<T, long> createdAt, int? limit, string? order, string? after, string? before)
    {
        var take = limit ?? 20;
        if (take is < 1 or > 100)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "'limit' must be between 1 and 100.", "Bad request", "invalid_limit");
        }
        var sorted = order switch
        {
            null or "" or "desc" => items.OrderByDescending(createdAt).ThenByDescending(id, StringComparer.Ordinal).ToList(),
            "asc" => items.OrderBy(createdAt).ThenBy(id, StringComparer.Ordinal).ToList(),
            _ => throw new ApiException(StatusCodes.Status400BadRequest, "'order' must be 'asc' or 'desc'.", "Bad request", "invalid_order"),
        };
        if (after is { Length: > 0 })
        {
            var position = sorted.FindIndex(x => id(x) == after);
            sorted = position < 0 ? [] : sorted[(position + 1)..];
        }
        if (before is { Length: > 0 })
        {
            var position = sorted.FindIndex(x => id(x) == before);
            // Before a cursor: the items just ahead of it, in the same order; more if any lie further ahead.
            var start = Math.Max(0, position - take);
            return position < 0 ? ([], false) : (sorted[start..position], start > 0);
        }
        return (sorted.Take(take).ToList(), sorted.Count > take);
    }
}
