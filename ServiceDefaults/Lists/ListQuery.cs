using Microsoft.AspNetCore.Http;
using ServiceDefaults.Errors;

namespace ServiceDefaults.Lists;

/// <summary>
/// OpenAI's list parameters (`limit`, `order`, `after`, `before`), read and checked the same way on every list route.
/// A cursor must name an object of the list being read: an unknown, deleted or foreign id is a 400 naming the cursor
/// (`param` "after" or "before"), never an empty page or page one, which would send a client paging for ever.
/// </summary>
public sealed record ListQuery(int Take, bool Ascending, string? After, string? Before)
{
    public const int DefaultLimit = 20;

    public static ListQuery Read(int? limit, string? order, string? after, string? before, int maxLimit, int defaultLimit = DefaultLimit)
    {
        var take = limit ?? defaultLimit;
        if (take < 1 || take > maxLimit)
        {
            throw Invalid($"'limit' must be between 1 and {maxLimit}.", "limit");
        }
        var ascending = order?.ToLowerInvariant() switch
        {
            null or "" or "desc" => false,
            "asc" => true,
            _ => throw RequestErrors.InvalidValue("order", order, ["asc", "desc"]),
        };
        return new ListQuery(take, ascending, NullIfEmpty(after), NullIfEmpty(before));
    }

    /// <summary>The answer to a cursor that names no object of the list.</summary>
    public static ApiException UnknownCursor(string param, string id) =>
        new(StatusCodes.Status400BadRequest, $"'{param}' names no object of this list: '{id}'. Page with the first_id or last_id of a page you read.",
            "Bad request", "invalid_cursor") { Param = param };

    /// <summary>Checks each cursor given names an object of the list, with <paramref name="exists"/> asking the store.</summary>
    public async Task EnsureCursorsExistAsync(Func<string, CancellationToken, Task<bool>> exists, CancellationToken cancellationToken)
    {
        if (After is not null && !await exists(After, cancellationToken).ConfigureAwait(false))
        {
            throw UnknownCursor("after", After);
        }
        if (Before is not null && !await exists(Before, cancellationToken).ConfigureAwait(false))
        {
            throw UnknownCursor("before", Before);
        }
    }

    /// <summary>
    /// One page of a list held in memory, in created_at order (ids break ties): after a cursor, the next items along the
    /// order; before one, the items just ahead of it, in the same order.
    /// </summary>
    public (List<T> Page, bool HasMore) PageOf<T>(IEnumerable<T> items, Func<T, string> id, Func<T, long> createdAt)
    {
        var all = items.ToList();
        var sorted = Ascending
            ? all.OrderBy(createdAt).ThenBy(id, StringComparer.Ordinal).ToList()
            : all.OrderByDescending(createdAt).ThenByDescending(id, StringComparer.Ordinal).ToList();
        if (After is not null)
        {
            var position = sorted.FindIndex(x => id(x) == After);
            sorted = position < 0 ? throw UnknownCursor("after", After) : sorted[(position + 1)..];
        }
        if (Before is not null)
        {
            var position = sorted.FindIndex(x => id(x) == Before);
            if (position < 0)
            {
                // Named by the list but not after the "after" cursor: nothing lies between the two.
                return all.Exists(x => id(x) == Before) ? ([], false) : throw UnknownCursor("before", Before);
            }
            var start = Math.Max(0, position - Take);
            return (sorted[start..position], start > 0);
        }
        return (sorted.Take(Take).ToList(), sorted.Count > Take);
    }

    private static ApiException Invalid(string message, string param) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_" + param) { Param = param };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
