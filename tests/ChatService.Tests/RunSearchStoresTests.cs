using System.Net.Http.Json;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>
/// The vector stores a run searches as they change after they were named: a store deleted since goes unsearched
/// instead of failing the run, and a file that two of the stores hold is one result, cited once.
/// </summary>
public sealed class RunSearchStoresTests
{
    private const string Handbook = "vs_handbook";
    private const string Glossary = "vs_glossary";
    private const string HandbookCopy = "vs_handbook_copy";

    [Fact]
    public async Task AStoreDeletedAfterTheAssistantNamedItGoesUnsearchedAndTheRunStillAnswers()
    {
        var stores = new HashSet<string> { Handbook, Glossary };
        await using var documents = await TestSupport.VectorStoresAsync(stores.Contains);
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_gone_store");
        var assistantId = await AssistantAsync(client, Handbook, Glossary);
        var threadId = await ThreadAsync(client, toolResources: null);

        stores.Remove(Glossary);
        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId })).JsonAsync();
        var done = await WaitForRunAsync(client, threadId, run.GetProperty("id").GetString()!);
        var answer = await LastMessageTextAsync(client, threadId);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Contains("25 vacation days", answer.GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.Single(answer.GetProperty("annotations").EnumerateArray());
    }

    [Fact]
    public async Task AFileHeldByTheAssistantsStoreAndTheThreadsIsOneResultCitedOnce()
    {
        await using var documents = await TestSupport.VectorStoresAsync(new HashSet<string> { Handbook, HandbookCopy }.Contains);
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_twice_held");
        var assistantId = await AssistantAsync(client, Handbook);
        var threadId = await ThreadAsync(client, new { file_search = new { vector_store_ids = new[] { HandbookCopy } } });

        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId })).JsonAsync();
        var runId = run.GetProperty("id").GetString()!;
        await WaitForRunAsync(client, threadId, runId);
        var steps = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}/steps?order=asc")).JsonAsync();
        var answer = await LastMessageTextAsync(client, threadId);

        var results = steps.GetProperty("data")[0].GetProperty("step_details").GetProperty("tool_calls")[0]
            .GetProperty("file_search").GetProperty("results");
        Assert.Equal("file_leave", Assert.Single(results.EnumerateArray()).GetProperty("file_id").GetString());
        Assert.Single(answer.GetProperty("annotations").EnumerateArray());
    }

    private static async Task<string> AssistantAsync(HttpClient client, params string[] stores)
    {
        using var created = await client.PostAsJsonAsync("/v1/assistants", new
        {
            model = "gpt-4o-mini",
            instructions = "Answer from the handbook.",
            tools = new[] { new { type = "file_search" } },
            tool_resources = new { file_search = new { vector_store_ids = stores } },
        });
        return (await created.JsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task<string> ThreadAsync(HttpClient client, object? toolResources)
    {
        using var created = await client.PostAsJsonAsync("/v1/threads", new
        {
            messages = new[] { new { role = "user", content = "How many vacation days do employees get?" } },
            tool_resources = toolResources,
        });
        return (await created.JsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> WaitForRunAsync(HttpClient client, string threadId, string runId)
    {
        JsonElement run = default;
        await Wait.UntilAsync(async () =>
        {
            run = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync();
            return run.GetProperty("status").GetString() is "completed" or "failed";
        }, TimeSpan.FromSeconds(30), $"run {runId} to end");
        return run;
    }

    private static async Task<JsonElement> LastMessageTextAsync(HttpClient client, string threadId)
    {
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?order=desc&limit=1")).JsonAsync();
        return messages.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text");
    }
}
