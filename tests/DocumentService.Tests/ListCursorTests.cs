using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>
/// The document service's list routes read `after` and `before` as chat-service's do: a cursor must name an object of
/// the list being read; another caller's id, or no object's, is a 400 naming the cursor, never page one or an empty page.
/// Objects made within one second still list in the order they were made.
/// </summary>
public sealed class ListCursorTests
{
    [Fact]
    public async Task EveryListRouteRefusesACursorFromAnotherListAndNamesItAndPagesFromItsOwn()
    {
        await using var host = await DocumentsHost.StartAsync();
        var mine = await ListsOfAsync(host, "usr_doc_cursor_mine");
        var theirs = await ListsOfAsync(host, "usr_doc_cursor_theirs");
        using var client = host.ClientFor("usr_doc_cursor_mine");

        foreach (var (name, (list, ownId, cursors)) in mine)
        {
            foreach (var cursor in cursors)
            {
                foreach (var id in new[] { theirs[name].Id, "file_nothing_by_this_id" })
                {
                    using var refused = await client.GetAsync(new Uri($"{list}?{cursor}={id}", UriKind.Relative));
                    var text = await refused.Content.ReadAsStringAsync();
                    Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{name} {cursor}={id}: {(int)refused.StatusCode} {text}");
                    var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
                    Assert.Equal((cursor, "invalid_cursor"), (error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
                }
                using var paged = await client.GetAsync(new Uri($"{list}?{cursor}={ownId}", UriKind.Relative));
                var page = JsonDocument.Parse(await paged.Content.ReadAsStringAsync()).RootElement;
                Assert.True(paged.StatusCode == HttpStatusCode.OK, $"{name} {cursor}={ownId}: {page}");
                Assert.DoesNotContain(page.GetProperty("data").EnumerateArray(), item => item.GetProperty("id").GetString() == ownId);
            }
        }
    }

    [Fact]
    public async Task FilesStoresAndStoreFilesMadeWithinOneSecondListInTheOrderTheyWereMade()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_doc_same_second");
        var files = new List<string>();
        var stores = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            files.Add(await UploadAsync(client, $"note{i}.md", $"Note number {i}."));
            using var created = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = $"store {i}" });
            stores.Add(JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
        }
        using var holding = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = "all notes", file_ids = files });
        var store = JsonDocument.Parse(await holding.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        stores.Add(store);

        Assert.Equal(files, await IdsAsync(client, "/v1/files?order=asc"));
        Assert.Equal(Enumerable.Reverse(files), await IdsAsync(client, "/v1/files?order=desc"));
        Assert.Equal(stores, await IdsAsync(client, "/v1/vector_stores?order=asc"));
        Assert.Equal(files, await IdsAsync(client, $"/v1/vector_stores/{store}/files?order=asc"));
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string list)
    {
        var page = JsonDocument.Parse(await client.GetStringAsync(new Uri(list, UriKind.Relative))).RootElement;
        return [.. page.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("id").GetString()!)];
    }

    private static async Task<Dictionary<string, (string List, string Id, string[] Cursors)>> ListsOfAsync(DocumentsHost host, string user)
    {
        using var client = host.ClientFor(user);
        var file = await UploadAsync(client, "travel.md", "Trains are booked two weeks ahead.");
        var batchedFile = await UploadAsync(client, "laptops.md", "A broken laptop goes to the IT desk.");
        using var created = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = "Handbook", file_ids = new[] { file } });
        var store = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var batched = await client.PostAsJsonAsync(new Uri($"/v1/vector_stores/{store}/file_batches", UriKind.Relative), new { file_ids = new[] { batchedFile } });
        var batch = JsonDocument.Parse(await batched.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        return new()
        {
            // OpenAI's files list pages with `after` only.
            ["files"] = ("/v1/files", file, ["after"]),
            ["vector stores"] = ("/v1/vector_stores", store, ["after", "before"]),
            ["vector store files"] = ($"/v1/vector_stores/{store}/files", file, ["after", "before"]),
            ["batch files"] = ($"/v1/vector_stores/{store}/file_batches/{batch}/files", batchedFile, ["after", "before"]),
        };
    }

    private static async Task<string> UploadAsync(HttpClient client, string name, string text)
    {
        using var uploaded = await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form(name, SampleFiles.Utf8(text), ("purpose", "assistants")));
        return JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}
