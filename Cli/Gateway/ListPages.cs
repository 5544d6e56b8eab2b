namespace Cli.Gateway;

/// <summary>One page of a platform list: its items and where the next page starts.</summary>
public sealed record DataList<T>(IReadOnlyList<T> Data, string? LastId, bool HasMore);

public static class ListPages
{
    /// <summary>Every item of a list route, oldest first, read a page of 100 at a time.</summary>
    public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(this HttpClient http, string path, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var first = $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}limit=100&order=asc";
        for (var next = first; ;)
        {
            using var response = await http.GetAsync(next, cancellationToken);
            await ApiError.EnsureSuccessAsync(response, cancellationToken);
            var page = await Json.ReadAsync<DataList<T>>(response, http.BaseAddress, cancellationToken);
            items.AddRange(page.Data);
            if (!page.HasMore || page.LastId is null)
            {
                return items;
            }
            next = $"{first}&after={Uri.EscapeDataString(page.LastId)}";
        }
    }
}
