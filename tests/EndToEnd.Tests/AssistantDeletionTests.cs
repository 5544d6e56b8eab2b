using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace EndToEnd.Tests;

/// <summary>
/// Deleting an assistant through the gateway leaves nothing of it behind in any service: checked through the public
/// API and in each service's own store (its SQLite file, Redis), while the user's other assistant keeps all of its own.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AssistantDeletionTests(Platform platform)
{
    private const string Question = "How many vacation days do we get?";

    [Fact]
    public async Task ADeletedAssistantLeavesNoDocumentsChunksIntentsCachedAnswersOrKeyScopesBehind()
    {
        var (client, _) = await platform.NewUserAsync("deleter");
        var doomed = await FurnishedAssistantAsync(client, "Doomed");
        var kept = await FurnishedAssistantAsync(client, "Kept");
        var onlyDoomed = await KeyAsync(client, [doomed]);
        var both = await KeyAsync(client, [doomed, kept]);

        var before = await LeftoversAsync(doomed);
        var keptBefore = await LeftoversAsync(kept);
        Assert.True(before.Documents > 0 && before.Chunks > 0 && before.Intents == 1 && before.CacheKeys > 0, $"before: {before}");

        using var deleted = await client.DeleteAsync($"/v1/assistants/{doomed}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        Assert.Equal(new Leftovers(0, 0, 0, 0, 0), await LeftoversAsync(doomed));
        var keptAfter = await LeftoversAsync(kept);
        Assert.Equal(keptBefore with { CacheKeys = 0 }, keptAfter with { CacheKeys = 0 });
        Assert.True(keptAfter.CacheKeys > 0, $"kept: {keptAfter}");
        var documents = await client.GetFromJsonAsync<JsonElement>("/api/documents");
        Assert.DoesNotContain(documents.GetProperty("data").EnumerateArray(), d => d.GetProperty("assistant_id").GetString() == doomed);
        Assert.Contains(documents.GetProperty("data").EnumerateArray(), d => d.GetProperty("assistant_id").GetString() == kept);
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/intent-cache/stats");
        Assert.Equal(new[] { kept }, stats.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("assistant_id").GetString()));

        Assert.Empty(await ScopeAsync(onlyDoomed.Id));
        Assert.Equal(new[] { kept }, await ScopeAsync(both.Id));
        using var keyOfNothing = platform.Anonymous();
        keyOfNothing.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", onlyDoomed.Secret);
        // A key that reaches nothing may not store or spend anything either.
        using var listed = await keyOfNothing.GetAsync("/v1/assistants");
        using var refused = await keyOfNothing.PostAsJsonAsync("/v1/chat/completions", new { model = kept, messages = new[] { new { role = "user", content = Question } } });
        using var upload = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("notes")), "file", "notes.txt" }, { new StringContent("assistants"), "purpose" } };
        using var stored = await keyOfNothing.PostAsync("/v1/files", upload);
        using var embedded = await keyOfNothing.PostAsJsonAsync("/v1/embeddings", new { model = "text-embedding-3-small", input = "hello" });
        Assert.Equal(HttpStatusCode.Forbidden, listed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, stored.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, embedded.StatusCode);
        Assert.Equal("assistant_not_allowed", (await stored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());

        // The kept assistant still answers from its cache, and the deleted one is gone for a second delete too.
        Assert.Equal("hit", (await AskAsync(client, kept)).Cache);
        using var again = await client.DeleteAsync($"/v1/assistants/{doomed}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task TheSiblingsCleanupRoutesAreClosedFromOutside()
    {
        var (client, _) = await platform.NewUserAsync("prober");
        var assistant = await FurnishedAssistantAsync(client, "Probed");

        using var documents = await client.DeleteAsync($"/api/assistants/{assistant}/documents");
        using var intents = await client.DeleteAsync($"/api/intent-cache/assistants/{assistant}");

        Assert.Equal(HttpStatusCode.NotFound, documents.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, intents.StatusCode);
        Assert.Equal(1, (await LeftoversAsync(assistant)).Intents);
    }

    private sealed record Leftovers(long Documents, long Chunks, long KnowledgeStates, long Intents, long CacheKeys);

    private sealed record Key(string Id, string Secret);

    /// <summary>An assistant with two documents, intents and one answer the cache now serves.</summary>
    private async Task<string> FurnishedAssistantAsync(HttpClient client, string name)
    {
        using var created = await client.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name, instructions = "Answer from the handbook." });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await UploadAsync(client, id, "rag", "Vacation policy. Every full-time employee receives 25 vacation days per year.");
        await UploadAsync(client, id, "prompt", "Always answer in one sentence.");
        using var intents = await client.PutAsJsonAsync($"/api/intents/{id}", new
        {
            intents = new[]
            {
                new { name = "vacation_days", examples = new[] { "how many vacation days do we get", "number of vacation days per year", "annual leave allowance" } },
                new { name = "expenses", examples = new[] { "when are expenses reimbursed", "expense refund timing", "travel costs back" } },
            },
        });
        intents.EnsureSuccessStatusCode();
        await AskAsync(client, id);
        await Wait.UntilAsync(async () => (await AskAsync(client, id)).Cache == "hit", TimeSpan.FromSeconds(10), "the answer to be cached");
        return id;
    }

    private static async Task UploadAsync(HttpClient client, string assistantId, string type, string text)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", $"{type}.txt");
        form.Add(new StringContent(type), "type");
        form.Add(new StringContent(assistantId), "assistant_id");
        using var response = await client.PostAsync(new Uri("/api/documents", UriKind.Relative), form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(string Answer, string? Cache)> AskAsync(HttpClient client, string assistantId)
    {
        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId,
            messages = new[] { new { role = "user", content = Question } },
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!,
            response.Headers.TryGetValues("X-Cache", out var values) ? values.First() : null);
    }

    private static async Task<Key> KeyAsync(HttpClient client, string[] assistants)
    {
        using var response = await client.PostAsJsonAsync("/api/keys", new { name = "scoped", assistants });
        response.EnsureSuccessStatusCode();
        var key = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Key(key.GetProperty("id").GetString()!, key.GetProperty("key").GetString()!);
    }

    /// <summary>What each service still holds for the assistant, read from its own store rather than its API.</summary>
    private async Task<Leftovers> LeftoversAsync(string assistantId)
    {
        var documents = await CountAsync("docsdb", "SELECT COUNT(*) FROM documents WHERE AssistantId = $id", assistantId);
        var chunks = await CountAsync("docsdb", "SELECT COUNT(*) FROM chunks WHERE AssistantId = $id", assistantId);
        // The deleted assistant's state stays as a tombstone (version -1) that refuses an upload finishing later.
        var states = await CountAsync("docsdb", "SELECT COUNT(*) FROM knowledge_states WHERE AssistantId = $id AND Version <> -1", assistantId);
        var intents = await CountAsync("intentdb", "SELECT COUNT(*) FROM IntentSets WHERE AssistantId = $id", assistantId);
        using var redis = await ConnectionMultiplexer.ConnectAsync((await platform.ConnectionStringAsync("cache"))!);
        var cacheKeys = 0L;
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: $"intent-cache:{assistantId}:*"))
            {
                // The generation counter may stay a minute after a delete, but never without an expiry.
                var expiring = key == $"intent-cache:{assistantId}:gen" && await redis.GetDatabase().KeyTimeToLiveAsync(key) is not null;
                cacheKeys += expiring ? 0 : 1;
            }
            await foreach (var _ in server.KeysAsync(pattern: $"intent-cache:stats:*:{assistantId}:*"))
            {
                cacheKeys++;
            }
        }
        return new Leftovers(documents, chunks, states, intents, cacheKeys);
    }

    private async Task<string[]> ScopeAsync(string keyId)
    {
        await using var connection = await OpenAsync("gatewaydb");
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Assistants FROM ApiKeys WHERE Id = $id";
        command.Parameters.AddWithValue("$id", keyId);
        var scope = (string?)await command.ExecuteScalarAsync();
        return scope is null ? ["(all)"] : scope.Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    private async Task<long> CountAsync(string database, string sql, string assistantId)
    {
        await using var connection = await OpenAsync(database);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", assistantId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<SqliteConnection> OpenAsync(string database)
    {
        var connection = new SqliteConnection((await platform.ConnectionStringAsync(database))! + ";Mode=ReadOnly");
        await connection.OpenAsync();
        return connection;
    }
}
