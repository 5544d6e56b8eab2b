using System.Net;
using System.Text.Json;
using Xunit;

namespace TestInfrastructure;

/// <summary>
/// The list contract every native list keeps as /api/chats does (docs/contracts.md, Lists): `limit`, `order`, `after`
/// and `before` page it; a page is {"object":"list","data","first_id","last_id","has_more"}; a bad value is a 400
/// ProblemDetails naming the parameter. <c>get</c> sends a GET as the caller whose list it is.
/// </summary>
public static class NativeLists
{
    /// <summary>What /api/chats answers to each bad paging value: the query, the `param` and the `code` named.</summary>
    public static IEnumerable<(string Query, string Param, string Code)> BadPaging(string foreignId) =>
    [
        ("limit=0", "limit", "invalid_limit"),
        ("limit=101", "limit", "invalid_limit"),
        ("order=sideways", "order", "invalid_value"),
        ("after=zzz", "after", "invalid_cursor"),
        ($"after={foreignId}", "after", "invalid_cursor"),
        ($"before={foreignId}", "before", "invalid_cursor"),
    ];

    /// <summary>Asserts each bad paging value is refused with a 400 ProblemDetails naming it, as /api/chats refuses it.</summary>
    public static async Task AssertRefusesBadPagingAsync(Func<string, Task<HttpResponseMessage>> get, string list, string foreignId)
    {
        foreach (var (query, param, code) in BadPaging(foreignId))
        {
            using var refused = await get($"{list}{Separator(list)}{query}").ConfigureAwait(false);
            var text = await refused.Content.ReadAsStringAsync().ConfigureAwait(false);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{list} {query}: {(int)refused.StatusCode} {text}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal((param, code), (problem.GetProperty("param").GetString(), problem.GetProperty("code").GetString()));
        }
    }

    /// <summary>One page, its envelope checked: ids of its data, and whether more follow.</summary>
    public static async Task<(List<string> Ids, bool HasMore)> PageAsync(Func<string, Task<HttpResponseMessage>> get, string path)
    {
        using var response = await get(path).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        var page = JsonDocument.Parse(text).RootElement;
        var ids = page.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("id").GetString()!).ToList();
        Assert.Equal("list", page.GetProperty("object").GetString());
        Assert.Equal(ids.FirstOrDefault(), page.GetProperty("first_id").GetString());
        Assert.Equal(ids.LastOrDefault(), page.GetProperty("last_id").GetString());
        return (ids, page.GetProperty("has_more").GetBoolean());
    }

    /// <summary>Every id of a list, read <paramref name="limit"/> at a time, each page after the last id of the one before.</summary>
    public static async Task<List<string>> WalkAsync(Func<string, Task<HttpResponseMessage>> get, string list, int limit, string order)
    {
        var all = new List<string>();
        var path = $"{list}{Separator(list)}limit={limit}&order={order}";
        while (true)
        {
            var (ids, hasMore) = await PageAsync(get, path).ConfigureAwait(false);
            Assert.InRange(ids.Count, hasMore ? limit : 0, limit);
            all.AddRange(ids);
            if (!hasMore)
            {
                return all;
            }
            path = $"{list}{Separator(list)}limit={limit}&order={order}&after={ids[^1]}";
        }
    }

    private static string Separator(string list) => list.Contains('?', StringComparison.Ordinal) ? "&" : "?";
}
