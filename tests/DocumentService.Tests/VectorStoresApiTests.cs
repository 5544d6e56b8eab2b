using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DocumentService.Tests;

/// <summary>/v1/vector_stores, their files and batches, in OpenAI's shapes, in-process on SQLite.</summary>
public sealed class VectorStoresApiTests
{
    private static Task<JsonElement> JsonAsync(HttpResponseMessage response) => response.OkJsonAsync();

    private static async Task<string> UploadFileAsync(HttpClient client, string name, string text) =>
        (await JsonAsync(await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form(name, SampleFiles.Utf8(text), ("purpose", "assistants"))))).GetProperty("id").GetString()!;

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body) =>
        await JsonAsync(await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body));

    private static async Task<JsonElement> GetAsync(HttpClient client, string path) =>
        await JsonAsync(await client.GetAsync(new Uri(path, UriKind.Relative)));

    private static async Task<DocumentsHost> HostOnAsync(string database)
    {
        var connection = database == "postgres" ? await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("vs") : null;
        return await DocumentsHost.StartAsync(f =>
        {
            if (connection is not null)
            {
                f.With("ConnectionStrings:docsdb", connection);
            }
        });
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AStoreKeepsItsFilesCountsTheirBytesAndFindsThemByAttributes(string database)
    {
        await using var host = await HostOnAsync(database);
        using var client = host.ClientFor("usr_vs");
        var travel = await UploadFileAsync(client, "travel.md", "Trains are booked through the travel desk two weeks ahead. First class needs a director's approval.");
        var laptop = await UploadFileAsync(client, "laptops.md", "A broken laptop goes to the IT desk on floor 3, which lends a spare the same day.");

        var store = await PostAsync(client, "/v1/vector_stores", new { name = "Handbook", metadata = new { team = "hr" }, expires_after = new { anchor = "last_active_at", days = 7 } });
        var id = store.GetProperty("id").GetString()!;
        var attached = await PostAsync(client, $"/v1/vector_stores/{id}/files", new { file_id = travel, attributes = new { topic = "travel", year = 2026 } });
        var batch = await PostAsync(client, $"/v1/vector_stores/{id}/file_batches", new { file_ids = new[] { laptop }, attributes = new { topic = "it", year = 2025 } });
        var described = await GetAsync(client, $"/v1/vector_stores/{id}");
        var filtered = await PostAsync(client, $"/v1/vector_stores/{id}/search",
            new { query = "where do I take my computer when it stops working", filters = new { type = "eq", key = "topic", value = "travel" } });
        var compound = await PostAsync(client, $"/v1/vector_stores/{id}/search", new
        {
            query = new[] { "computer repair", "train tickets" },
            filters = new { type = "or", filters = new object[] { new { type = "gte", key = "year", value = 2026 }, new { type = "in", key = "topic", value = new[] { "it" } } } },
        });
        var batchFiles = await GetAsync(client, $"/v1/vector_stores/{id}/file_batches/{batch.GetProperty("id").GetString()}/files");
        var content = await GetAsync(client, $"/v1/vector_stores/{id}/files/{travel}/content");

        Assert.StartsWith("vs_", id, StringComparison.Ordinal);
        Assert.Equal("vector_store", store.GetProperty("object").GetString());
        Assert.Equal(7, store.GetProperty("expires_after").GetProperty("days").GetInt32());
        Assert.Equal("vector_store.file", attached.GetProperty("object").GetString());
        Assert.Equal("completed", attached.GetProperty("status").GetString());
        Assert.Equal(id, attached.GetProperty("vector_store_id").GetString());
        Assert.Equal("travel", attached.GetProperty("attributes").GetProperty("topic").GetString());
        Assert.Equal("static", attached.GetProperty("chunking_strategy").GetProperty("type").GetString());
        Assert.Equal("vector_store.files_batch", batch.GetProperty("object").GetString());
        Assert.Equal(1, batch.GetProperty("file_counts").GetProperty("completed").GetInt32());
        Assert.Equal(2, described.GetProperty("file_counts").GetProperty("total").GetInt32());
        Assert.Equal(2, described.GetProperty("file_counts").GetProperty("completed").GetInt32());
        Assert.Equal(attached.GetProperty("usage_bytes").GetInt64() + Assert.Single(batchFiles.GetProperty("data").EnumerateArray()).GetProperty("usage_bytes").GetInt64(),
            described.GetProperty("usage_bytes").GetInt64());
        Assert.True(attached.GetProperty("usage_bytes").GetInt64() > 384 * 4);
        Assert.Equal(travel, Assert.Single(filtered.GetProperty("data").EnumerateArray()).GetProperty("file_id").GetString());
        Assert.Equal(new[] { laptop, travel }.Order(), compound.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("file_id").GetString()!).Order());
        Assert.Contains("travel desk", content.GetProperty("data")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesCanBeRelabelledListedByStatusAndRemovedWhileTheFileStays()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_vs_files");
        var good = await UploadFileAsync(client, "a.txt", "Parking permits are renewed every January at reception.");
        var empty = (await JsonAsync(await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("blank.bin", [0, 1, 2, 0, 255], ("purpose", "assistants"))))).GetProperty("id").GetString()!;
        var id = (await PostAsync(client, "/v1/vector_stores", new { file_ids = new[] { good, empty } })).GetProperty("id").GetString()!;

        var failed = await GetAsync(client, $"/v1/vector_stores/{id}/files?filter=failed");
        var updated = await PostAsync(client, $"/v1/vector_stores/{id}/files/{good}", new { attributes = new { floor = 1 } });
        var search = await PostAsync(client, $"/v1/vector_stores/{id}/search", new { query = "parking permit renewal", filters = new { type = "eq", key = "floor", value = 1 } });
        var deleted = await JsonAsync(await client.DeleteAsync(new Uri($"/v1/vector_stores/{id}/files/{good}", UriKind.Relative)));
        var after = await GetAsync(client, $"/v1/vector_stores/{id}");
        var stillAFile = await GetAsync(client, $"/v1/files/{good}");
        var storeDeleted = await JsonAsync(await client.DeleteAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative)));
        using var gone = await client.GetAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative));

        var failure = Assert.Single(failed.GetProperty("data").EnumerateArray());
        Assert.Equal(empty, failure.GetProperty("id").GetString());
        Assert.NotEqual(JsonValueKind.Null, failure.GetProperty("last_error").ValueKind);
        Assert.Equal(1, updated.GetProperty("attributes").GetProperty("floor").GetInt32());
        Assert.Equal(good, Assert.Single(search.GetProperty("data").EnumerateArray()).GetProperty("file_id").GetString());
        Assert.Equal("vector_store.file.deleted", deleted.GetProperty("object").GetString());
        Assert.Equal(1, after.GetProperty("file_counts").GetProperty("total").GetInt32());
        Assert.Equal(0, after.GetProperty("usage_bytes").GetInt64());
        Assert.Equal(good, stillAFile.GetProperty("id").GetString());
        Assert.Equal("vector_store.deleted", storeDeleted.GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("desc")]
    [InlineData("asc")]
    public async Task StoresAndTheirFilesPageBackwardsWithBeforeUntilHasMoreSaysTheStartIsReached(string order)
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_vs_before");
        var files = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            files.Add(await UploadFileAsync(client, $"note{i}.txt", $"Note number {i} about the canteen menu."));
            await PostAsync(client, "/v1/vector_stores", new { name = $"store {i}" });
        }
        var store = (await PostAsync(client, "/v1/vector_stores", new { file_ids = files })).GetProperty("id").GetString()!;

        foreach (var list in new[] { "/v1/vector_stores", $"/v1/vector_stores/{store}/files" })
        {
            var all = Ids(await GetAsync(client, $"{list}?limit=100&order={order}"));
            var walked = new List<string>();
            var cursor = all[^1];
            for (var pages = 0; pages < all.Count; pages++)
            {
                var page = await GetAsync(client, $"{list}?limit=2&order={order}&before={cursor}");
                walked.InsertRange(0, Ids(page));
                if (!page.GetProperty("has_more").GetBoolean())
                {
                    break;
                }
                cursor = page.GetProperty("first_id").GetString()!;
            }

            Assert.Equal(all[..^1], walked);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AttachingTheSameFileToAStoreManyTimesAtOnceAttachesItOnceAndAnswersEveryCall(string database)
    {
        await using var host = await HostOnAsync(database);
        using var client = host.ClientFor("usr_vs_race");
        var file = await UploadFileAsync(client, "menu.txt", "The canteen serves soup on Fridays and fish on Thursdays.");
        var store = (await PostAsync(client, "/v1/vector_stores", new { name = "Canteen" })).GetProperty("id").GetString()!;

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await client.PostAsJsonAsync(new Uri($"/v1/vector_stores/{store}/files", UriKind.Relative), new { file_id = file });
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        var described = await GetAsync(client, $"/v1/vector_stores/{store}");
        var found = await PostAsync(client, $"/v1/vector_stores/{store}/search", new { query = "what does the canteen serve on Fridays" });

        Assert.All(answers, a => Assert.True(a.Item1 == 200, $"{a.Item1}: {a.Item2}"));
        Assert.Equal(1, described.GetProperty("file_counts").GetProperty("completed").GetInt32());
        Assert.Equal(file, found.GetProperty("data")[0].GetProperty("file_id").GetString());
        Assert.Single(found.GetProperty("data").EnumerateArray(), r => r.GetProperty("content")[0].GetProperty("text").GetString()!.Contains("soup", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AJsonDocumentWithAnEscapedNulIsIndexedWithoutIt(string database)
    {
        await using var host = await HostOnAsync(database);
        using var client = host.ClientFor("usr_vs_nul");
        var file = await UploadFileAsync(client, "rota.json", """{"friday":"soup\u0000 and bread"}""");
        var store = (await PostAsync(client, "/v1/vector_stores", new { file_ids = new[] { file } })).GetProperty("id").GetString()!;

        var described = await GetAsync(client, $"/v1/vector_stores/{store}");
        var found = await PostAsync(client, $"/v1/vector_stores/{store}/search", new { query = "what is served on friday" });

        Assert.Equal(1, described.GetProperty("file_counts").GetProperty("completed").GetInt32());
        var text = found.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.Contains("soup and bread", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ADeletedStoreTakesItsKnowledgeStateWithIt(string database)
    {
        await using var host = await HostOnAsync(database);
        using var client = host.ClientFor("usr_vs_state");
        var file = await UploadFileAsync(client, "desk.txt", "Hot desks are booked in the app the day before.");
        var id = (await PostAsync(client, "/v1/vector_stores", new { name = "Desks", file_ids = new[] { file } })).GetProperty("id").GetString()!;
        var statesWithTheStore = await KnowledgeStatesAsync(host, id);

        using var deleted = await client.DeleteAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(1, statesWithTheStore);
        Assert.Equal(0, await KnowledgeStatesAsync(host, id));
    }

    private static async Task<int> KnowledgeStatesAsync(DocumentsHost host, string key)
    {
        using var scope = host.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DocumentService.Model.DocumentsDbContext>();
        return await db.KnowledgeStates.CountAsync(k => k.AssistantId == key);
    }

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task OthersGetNotFoundAndBadInputGetsOpenAIsErrorBody()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var owner = host.ClientFor("usr_vs_owner");
        using var stranger = host.ClientFor("usr_vs_stranger");
        using var key = host.ClientFor("usr_vs_owner", assistants: [], keyId: "key_other");
        var id = (await PostAsync(owner, "/v1/vector_stores", new { name = "mine" })).GetProperty("id").GetString()!;

        using var strangerGet = await stranger.GetAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative));
        using var keyGet = await key.GetAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative));
        using var badFilter = await owner.PostAsJsonAsync(new Uri($"/v1/vector_stores/{id}/search", UriKind.Relative), new { query = "x", filters = new { type = "near", key = "a", value = 1 } });
        using var badCount = await owner.PostAsJsonAsync(new Uri($"/v1/vector_stores/{id}/search", UriKind.Relative), new { query = "x", max_num_results = 500 });
        using var badQuery = await owner.PostAsJsonAsync(new Uri($"/v1/vector_stores/{id}/search", UriKind.Relative), new { query = 5 });
        using var badChunking = await owner.PostAsJsonAsync(new Uri($"/v1/vector_stores/{id}/files", UriKind.Relative),
            new { file_id = "file_x", chunking_strategy = new { type = "static", @static = new { max_chunk_size_tokens = 50, chunk_overlap_tokens = 0 } } });
        using var missingFile = await owner.PostAsJsonAsync(new Uri($"/v1/vector_stores/{id}/files", UriKind.Relative), new { file_id = "file_nope" });
        using var list = await stranger.GetAsync(new Uri("/v1/vector_stores", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, strangerGet.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, keyGet.StatusCode);
        foreach (var bad in new[] { badFilter, badCount, badQuery, badChunking })
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }
        Assert.Equal(HttpStatusCode.NotFound, missingFile.StatusCode);
        Assert.Empty((await JsonAsync(list)).GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TheDescriptionGivenOnCreateIsKeptAndShownWhereverTheStoreIs(string database)
    {
        await using var host = await HostOnAsync(database);
        using var client = host.ClientFor("usr_vs_described");

        var created = await PostAsync(client, "/v1/vector_stores", new { name = "Travel", description = "Answers about booking trains and hotels" });
        var plain = await PostAsync(client, "/v1/vector_stores", new { name = "Plain" });
        var id = created.GetProperty("id").GetString()!;
        var read = await GetAsync(client, $"/v1/vector_stores/{id}");
        var listed = (await GetAsync(client, "/v1/vector_stores")).GetProperty("data").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        using var tooLong = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { description = new string('d', 513) });

        Assert.Equal("Answers about booking trains and hotels", created.GetProperty("description").GetString());
        Assert.Equal("Answers about booking trains and hotels", read.GetProperty("description").GetString());
        Assert.Equal("Answers about booking trains and hotels", listed.GetProperty("description").GetString());
        Assert.False(plain.TryGetProperty("description", out _));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("description", JsonDocument.Parse(await tooLong.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("param").GetString());
    }
}
