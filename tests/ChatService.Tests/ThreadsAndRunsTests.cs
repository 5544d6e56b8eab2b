using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Services;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Caching;

namespace ChatService.Tests;

public sealed class ThreadsAndRunsTests
{
    private static async Task<JsonElement> RunToEndAsync(HttpClient client, string threadId, string assistantId)
    {
        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId })).JsonAsync();
        var runId = run.GetProperty("id").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (run.GetProperty("status").GetString() is "queued" or "in_progress" or "cancelling" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(30);
            run = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync();
        }
        return run;
    }

    private static Task<HttpResponseMessage> SayAsync(HttpClient client, string threadId, string text) =>
        client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new { role = "user", content = text });

    private static List<string> PromptTexts(RecordedRequest request) =>
        JsonNode.Parse(request.Body)!["messages"]!.AsArray().Select(m => m!["content"]!.ToJsonString()).ToList();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AThreadStartsFromFreshContextWhenItsAssistantsKnowledgeChangesWhileItsHistoryStaysReadable(string database)
    {
        var version = "v1";
        await using var documents = await TestSupport.DocumentsAsync(() => version, ("policy.txt", "Remote work is allowed on Fridays."));
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "noted"));
        await using var factory = (await TestSupport.ServiceOnAsync(database)).WithDocuments(documents).WithModel(model);
        using var client = factory.Client("usr_reset");
        var assistantId = await client.CreateAssistantAsync();
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;

        await SayAsync(client, threadId, "first question about remote work");
        Assert.Equal("completed", (await RunToEndAsync(client, threadId, assistantId)).GetProperty("status").GetString());
        await SayAsync(client, threadId, "second question, same knowledge");
        await RunToEndAsync(client, threadId, assistantId);
        version = "v2";
        // As document-service does on every change.
        await factory.Services.GetRequiredService<IMessageBus>().PublishAsync(
            KnowledgeChangeListener.Channel, JsonSerializer.Serialize(new { assistant_id = assistantId, version }));
        await SayAsync(client, threadId, "third question after the policy changed");
        var third = await RunToEndAsync(client, threadId, assistantId);
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?order=asc")).JsonAsync();

        Assert.Equal("completed", third.GetProperty("status").GetString());
        Assert.Contains(PromptTexts(model.Requests.Where(r => r.PathAndQuery.EndsWith("completions")).ElementAt(1)),
            m => m.Contains("first question"));
        var afterChange = PromptTexts(model.Requests.Where(r => r.PathAndQuery.EndsWith("completions")).ElementAt(2));
        Assert.DoesNotContain(afterChange, m => m.Contains("first question") || m.Contains("second question"));
        Assert.Contains(afterChange, m => m.Contains("third question"));
        Assert.Contains(afterChange, m => m.Contains("Remote work is allowed on Fridays."));
        Assert.Equal(6, messages.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ARunsPromptHoldsTheInstructionsThePromptDocumentsAndTheRetrievedPassages()
    {
        await using var documents = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/knowledge", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new
            {
                assistant_id = "x", version = "v3",
                instructions = new[] { new { document_id = "doc_p", filename = "tone.md", text = "Always answer in a friendly tone." } },
            })
            : context.Response.WriteAsJsonAsync(new
            {
                data = new[] { new { document_id = "doc_r", filename = "prices.csv", chunk_index = 2, score = 0.8, text = "A coffee costs 2 euros." } },
            }));
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "2 euros"));
        await using var factory = TestSupport.Service().WithDocuments(documents).WithModel(model);
        using var client = factory.Client("usr_prompt");
        var assistantId = await client.CreateAssistantAsync("You are the cafe's assistant.");
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "How much is a coffee?" } } })).JsonAsync())
            .GetProperty("id").GetString()!;

        var run = await RunToEndAsync(client, threadId, assistantId);

        var system = JsonNode.Parse(model.Requests.Single().Body)!["messages"]![0]!;
        Assert.Equal("system", system["role"]!.GetValue<string>());
        var text = system["content"] is JsonValue value
            ? value.GetValue<string>()
            : string.Concat(system["content"]!.AsArray().Select(part => part!["text"]!.GetValue<string>()));
        Assert.Contains("You are the cafe's assistant.", text);
        Assert.Contains("Always answer in a friendly tone.", text);
        Assert.Contains("A coffee costs 2 euros.", text);
        Assert.Contains("prices.csv", text);
        var search = JsonNode.Parse(documents.Requests.Single(r => r.PathAndQuery == "/api/documents/search").Body)!;
        Assert.Equal(assistantId, search["assistant_id"]!.GetValue<string>());
        Assert.Equal("How much is a coffee?", search["query"]!.GetValue<string>());
        Assert.Equal(9, run.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(1, run.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ChangedInstructionsAlsoResetTheContext()
    {
        await using var documents = await TestSupport.DocumentsAsync(() => "v1");
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));
        await using var factory = TestSupport.Service().WithDocuments(documents).WithModel(model);
        using var client = factory.Client("usr_reset2");
        var assistantId = await client.CreateAssistantAsync("Old rules.");
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        await SayAsync(client, threadId, "before the change");
        await RunToEndAsync(client, threadId, assistantId);

        await client.PostAsJsonAsync($"/v1/assistants/{assistantId}", new { instructions = "New rules." });
        await SayAsync(client, threadId, "after the change");
        await RunToEndAsync(client, threadId, assistantId);

        var prompt = PromptTexts(model.Requests.Last());
        Assert.DoesNotContain(prompt, m => m.Contains("before the change"));
        Assert.Contains(prompt, m => m.Contains("New rules."));
    }

    [Fact]
    public async Task AThreadsHistoryIsTrimmedToTheModelsContextKeepingTheNewestTurns()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));
        await using var factory = TestSupport.Service().WithModel(model).With("Chat:ContextTokens", "300");
        using var client = factory.Client("usr_trim");
        var assistantId = await client.CreateAssistantAsync();
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new
        {
            // Five turns of about 100 tokens each (" word" is one o200k token); the budget holds the instructions and two.
            messages = Enumerable.Range(0, 5).Select(i => new { role = "user", content = $"turn{i}" + string.Concat(Enumerable.Repeat(" word", 98)) }).ToArray(),
        })).JsonAsync()).GetProperty("id").GetString()!;

        await RunToEndAsync(client, threadId, assistantId);

        var prompt = string.Join("\n", PromptTexts(model.Requests.Single()));
        Assert.Contains("turn4", prompt);
        Assert.Contains("turn3", prompt);
        Assert.DoesNotContain("turn2", prompt);
        Assert.DoesNotContain("turn0", prompt);
        Assert.Contains("You answer from the handbook.", prompt);
    }

    [Fact]
    public async Task ByDefaultAThreadLongerThanASmallModelsContextReachesTheModelWhole()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_whole");
        var assistantId = await client.CreateAssistantAsync();
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new
        {
            // Thirty turns of about 500 tokens each: 15,000 tokens, past an 8k context, well within gpt-4o-mini's 128k.
            messages = Enumerable.Range(0, 30).Select(i => new { role = "user", content = $"turn{i}" + string.Concat(Enumerable.Repeat(" word", 498)) }).ToArray(),
        })).JsonAsync()).GetProperty("id").GetString()!;

        await RunToEndAsync(client, threadId, assistantId);

        var prompt = string.Join("\n", PromptTexts(model.Requests.Single()));
        Assert.All(Enumerable.Range(0, 30), i => Assert.Contains($"turn{i} ", prompt));
    }

    [Fact]
    public async Task ARunThatTheModelFailsEndsFailedWithItsLastError()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        await using var factory = TestSupport.Service().WithModel(model).With("Chat:ProviderRetries", "0");
        using var client = factory.Client("usr_fail");
        var assistantId = await client.CreateAssistantAsync();
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "hi" } } })).JsonAsync())
            .GetProperty("id").GetString()!;

        var run = await RunToEndAsync(client, threadId, assistantId);

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("server_error", run.GetProperty("last_error").GetProperty("code").GetString());
        Assert.True(run.GetProperty("failed_at").GetInt64() > 0);
    }

    [Fact]
    public async Task CancellingALiveRunStopsTheModelCallAndEndsItCancelled()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("thinking", upstreamAborted);
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_cancel");
        var assistantId = await client.CreateAssistantAsync();
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "hi" } } })).JsonAsync())
            .GetProperty("id").GetString()!;
        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId })).JsonAsync();
        var runId = run.GetProperty("id").GetString();
        await Wait.UntilAsync(async () => (await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync())
            .GetProperty("status").GetString() == "in_progress" && model.Requests.Count == 1, TimeSpan.FromSeconds(10), "the run to reach the model");
        // The model's first word was sent; the run keeps it once its answer's message is stored.
        await Wait.UntilAsync(async () => (await (await client.GetAsync($"/v1/threads/{threadId}/messages?run_id={runId}")).JsonAsync())
            .GetProperty("data").GetArrayLength() == 1, TimeSpan.FromSeconds(10), "the answer's message to be stored");

        var cancelling = await (await client.PostAsync($"/v1/threads/{threadId}/runs/{runId}/cancel", null)).JsonAsync();
        await upstreamAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(async () => (await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync())
            .GetProperty("status").GetString() == "cancelled", TimeSpan.FromSeconds(10), "the run to end cancelled");
        using var again = await client.PostAsync($"/v1/threads/{threadId}/runs/{runId}/cancel", null);

        var answer = (await (await client.GetAsync($"/v1/threads/{threadId}/messages?run_id={runId}")).JsonAsync()).GetProperty("data")[0];

        Assert.Equal("cancelling", cancelling.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("incomplete", answer.GetProperty("status").GetString());
        Assert.Equal("run_cancelled", answer.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.True(answer.GetProperty("incomplete_at").GetInt64() > 0);
        Assert.Equal("thinking", answer.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
    }

    [Fact]
    public async Task ThreadsAreListedModifiedAndDeletedForTheirOwner()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_threads");
        var a = (await (await client.PostAsJsonAsync("/v1/threads", new { metadata = new { topic = "a" } })).JsonAsync()).GetProperty("id").GetString()!;
        var b = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;

        var modified = await (await client.PostAsJsonAsync($"/v1/threads/{b}", new { metadata = new { topic = "b" } })).JsonAsync();
        var list = await (await client.GetAsync("/v1/threads")).JsonAsync();
        var deleted = await (await client.DeleteAsync($"/v1/threads/{a}")).JsonAsync();
        using var gone = await client.GetAsync($"/v1/threads/{a}");
        using var noMessage = await client.PostAsJsonAsync($"/v1/threads/{b}/messages", new { role = "user", content = "" });

        Assert.Equal("thread", modified.GetProperty("object").GetString());
        Assert.Equal("b", modified.GetProperty("metadata").GetProperty("topic").GetString());
        Assert.Equal([b, a], list.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal("thread.deleted", deleted.GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noMessage.StatusCode);
    }

    [Fact]
    public async Task ARunsMetadataIsModifiedByItsOwnerAloneAndBadMetadataLeavesItAsItWas()
    {
        await using var factory = TestSupport.Service();
        using var owner = factory.Client("usr_run_metadata");
        using var stranger = factory.Client("usr_run_stranger");
        var assistantId = await owner.CreateAssistantAsync();
        var threadId = (await (await owner.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "Hi" } } })).JsonAsync())
            .GetProperty("id").GetString()!;
        var run = await RunToEndAsync(owner, threadId, assistantId);
        var path = $"/v1/threads/{threadId}/runs/{run.GetProperty("id").GetString()}";

        var modified = await (await owner.PostAsJsonAsync(path, new { metadata = new { ticket = "T-42" } })).JsonAsync();
        using var notAnObject = await owner.PostAsJsonAsync(path, new { metadata = "T-43" });
        using var foreign = await stranger.PostAsJsonAsync(path, new { metadata = new { ticket = "mine" } });
        var after = await (await owner.GetAsync(path)).JsonAsync();

        Assert.Equal("T-42", modified.GetProperty("metadata").GetProperty("ticket").GetString());
        Assert.Equal("completed", modified.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, notAnObject.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("T-42", after.GetProperty("metadata").GetProperty("ticket").GetString());
    }

    [Fact]
    public async Task AStreamedThreadAndRunAnnouncesItsNewThreadBeforeTheRunAsOpenAIDoes()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_thread_and_run_stream");
        var assistantId = await client.CreateAssistantAsync();

        using var response = await client.PostAsJsonAsync("/v1/threads/runs", new
        {
            assistant_id = assistantId,
            stream = true,
            thread = new { messages = new[] { new { role = "user", content = "hi" } }, metadata = new { channel = "web" } },
        });
        var lines = TestSupport.SseLines(await response.Content.ReadAsStringAsync());

        // The SDKs' stream handlers (Python's AssistantEventHandler.on_event, Node's 'event') see thread.created first.
        Assert.Equal(["event: thread.created", "event: thread.run.created"], lines.Where(l => l.StartsWith("event:", StringComparison.Ordinal)).Take(2));
        var thread = JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement;
        var run = JsonDocument.Parse(lines[3]["data: ".Length..]).RootElement;
        Assert.Equal("thread", thread.GetProperty("object").GetString());
        Assert.Equal("web", thread.GetProperty("metadata").GetProperty("channel").GetString());
        Assert.Equal(thread.GetProperty("id").GetString(), run.GetProperty("thread_id").GetString());
        Assert.Equal("event: done", lines[^2]);
    }
}
