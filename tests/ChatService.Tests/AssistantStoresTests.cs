using System.Net.Http.Json;

namespace ChatService.Tests;

/// <summary>
/// The vector stores an assistant's tool_resources name answer it however it is asked, not in runs alone, when it
/// offers file_search, as OpenAI's assistants search them only then.
/// </summary>
public sealed class AssistantStoresTests
{
    private const string Handbook = "vs_handbook";
    private const string Question = "How many vacation days do employees get?";

    [Fact]
    public async Task AChatCompletionAndAnAskOfAnAssistantWithFileSearchReadItsNamedStores()
    {
        await using var documents = await TestSupport.VectorStoresAsync(Handbook.Equals);
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_named_stores");
        var assistantId = await AssistantAsync(client, [new { type = "file_search" }]);

        var answer = await AnswerAsync(client, assistantId);
        using var asked = await client.PostAsync($"/api/ask?assistant_id={assistantId}", new StringContent(Question));

        Assert.Contains("25 vacation days", answer, StringComparison.Ordinal);
        Assert.Contains("25 vacation days", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(documents.Requests, r => r.PathAndQuery == $"/v1/vector_stores/{Handbook}/search");
    }

    [Fact]
    public async Task AnAssistantThatOffersNoFileSearchLeavesTheStoresItNamesUnsearched()
    {
        await using var documents = await TestSupport.VectorStoresAsync(Handbook.Equals);
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_no_file_search");
        var assistantId = await AssistantAsync(client, []);

        var answer = await AnswerAsync(client, assistantId);

        Assert.DoesNotContain("25 vacation days", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(documents.Requests, r => r.PathAndQuery == $"/v1/vector_stores/{Handbook}/search");
    }

    [Fact]
    public async Task AnAssistantThatSearchesItsNamedStoresIsNeitherAnsweredFromTheAnswerCacheNorStoredInIt()
    {
        await using var cache = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/lookup", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new { hit = true, answer = "We give 20 days.", intent = "vacation", confidence = 0.97, entry_id = "e1" })
            : Task.CompletedTask);
        await using var documents = await TestSupport.VectorStoresAsync(Handbook.Equals);
        await using var factory = TestSupport.Service().WithDocuments(documents).WithIntentCache(cache);
        using var client = factory.Client("usr_stores_uncached");
        var assistantId = await AssistantAsync(client, [new { type = "file_search" }]);

        var answer = await AnswerAsync(client, assistantId);

        // The store may have changed since the cached answer was made, and the cache would not know.
        Assert.Contains("25 vacation days", answer, StringComparison.Ordinal);
        Assert.Empty(cache.Requests);
    }

    [Fact]
    public async Task ANamedStoreThatFailsItsSearchLeavesTheAnswerTheAssistantsOwnDocumentsNotARefusal()
    {
        await using var documents = await ScriptedHttpServer.StartAsync(context =>
        {
            var path = context.Request.Path.Value!;
            if (path.EndsWith("/knowledge", StringComparison.Ordinal))
            {
                return context.Response.WriteAsJsonAsync(new { assistant_id = path.Split('/')[3], version = "kv-1", instructions = Array.Empty<object>() });
            }
            if (path == "/api/documents/search")
            {
                return context.Response.WriteAsJsonAsync(new { data = new[] { new { document_id = "doc_own", filename = "own.md", chunk_index = 0, score = 0.9, text = "Every employee gets 25 vacation days a year." } } });
            }
            if (context.Request.Method == "GET")
            {
                return context.Response.WriteAsJsonAsync(new { id = Handbook, @object = "vector_store" });
            }
            context.Response.StatusCode = 400;
            return context.Response.WriteAsJsonAsync(new { error = new { message = $"Vector store {Handbook} has expired.", type = "invalid_request_error" } });
        });
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_store_expired");
        var assistantId = await AssistantAsync(client, [new { type = "file_search" }]);

        var answer = await AnswerAsync(client, assistantId);

        Assert.Contains("25 vacation days", answer, StringComparison.Ordinal);
        Assert.Contains(documents.Requests, r => r.PathAndQuery == $"/v1/vector_stores/{Handbook}/search");
    }

    [Fact]
    public async Task ARunWhoseToolsLeaveOutFileSearchSearchesNoneOfTheStoresItsAssistantNames()
    {
        await using var documents = await TestSupport.VectorStoresAsync(Handbook.Equals);
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_run_no_search");
        var assistantId = await AssistantAsync(client, [new { type = "file_search" }]);

        var run = await (await client.PostAsJsonAsync("/v1/threads/runs", new
        {
            assistant_id = assistantId,
            tools = Array.Empty<object>(),
            thread = new { messages = new[] { new { role = "user", content = Question } } },
        })).JsonAsync();
        var threadId = run.GetProperty("thread_id").GetString()!;
        await Wait.UntilAsync(async () => (await (await client.GetAsync($"/v1/threads/{threadId}/runs/{run.GetProperty("id").GetString()}")).JsonAsync())
            .GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30), "the run to complete");

        Assert.DoesNotContain(documents.Requests, r => r.PathAndQuery.StartsWith("/v1/vector_stores/", StringComparison.Ordinal) && r.Method == "POST");
    }

    /// <summary>The assistant's answer to <see cref="Question"/> through chat completions with its id as the model.</summary>
    private static async Task<string> AnswerAsync(HttpClient client, string assistantId) =>
        (await (await client.PostAsJsonAsync("/v1/chat/completions",
            new { model = assistantId, messages = new[] { new { role = "user", content = Question } } })).JsonAsync())
        .GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    private static async Task<string> AssistantAsync(HttpClient client, object[] tools)
    {
        using var created = await client.PostAsJsonAsync("/v1/assistants", new
        {
            model = "gpt-4o-mini",
            instructions = "Answer from the handbook.",
            tools,
            tool_resources = new { file_search = new { vector_store_ids = new[] { Handbook } } },
        });
        created.EnsureSuccessStatusCode();
        return (await created.JsonAsync()).GetProperty("id").GetString()!;
    }
}
