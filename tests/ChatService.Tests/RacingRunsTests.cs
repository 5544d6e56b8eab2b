using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>
/// Requests racing for one thread's run, on SQLite and on real PostgreSQL: of runs started on a free thread at the same
/// moment exactly one takes it, of tool outputs sent at the same moment exactly one continues the run, a message sent as
/// a run starts does not slip in behind it, messages with attachments racing on a new thread share one vector store,
/// and a cancel racing tool outputs either ends the run or lets them continue it.
/// </summary>
public sealed class RacingRunsTests
{
    private const int Racers = 6;

    internal static readonly object Lookup = new
    {
        type = "function",
        function = new
        {
            name = "lookup",
            description = "Looks a word up",
            parameters = new { type = "object", properties = new { word = new { type = "string" } } },
        },
    };

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task OfRunsStartedOnAFreeThreadAtOnceExactlyOneTakesItAndTheOthersFindItBusy(string database)
    {
        // Each run brings a message with an attachment, so it asks document-service for the thread's store between
        // finding the thread free and storing itself: a slow answer there keeps that window open for every racer.
        await using var documents = await ScriptedHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            if (path.EndsWith("/knowledge", StringComparison.Ordinal))
            {
                await context.Response.WriteAsJsonAsync(new { assistant_id = path.Split('/')[3], version = "kv-1", instructions = Array.Empty<object>() });
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(300), context.RequestAborted);
            await context.Response.WriteAsJsonAsync(new { id = "vs_thread_store", @object = "vector_store" });
        });
        await using var factory = (await TestSupport.ServiceOnAsync(database)).WithDocuments(documents);
        using var client = factory.Client($"usr_race_runs_{database}");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client);

        // A run that calls the function waits for its output, so the winner still holds the thread when the others try.
        var answers = await RaceAsync(() => client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new
        {
            assistant_id = assistantId,
            tool_choice = "required",
            additional_messages = new[]
            {
                new { role = "user", content = "See the glossary.", attachments = new[] { new { file_id = "file_glossary", tools = new[] { new { type = "file_search" } } } } },
            },
        }));
        var runs = await (await client.GetAsync($"/v1/threads/{threadId}/runs?limit=100")).JsonAsync();
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?limit=100")).JsonAsync();

        Assert.True(answers.Count(a => a.Status == HttpStatusCode.OK) == 1, Describe(answers));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a => Assert.Equal("thread_busy", CodeOf(a.Body)));
        Assert.Single(runs.GetProperty("data").EnumerateArray());
        Assert.Single(messages.GetProperty("data").EnumerateArray(), m =>
            m.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString() == "See the glossary.");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task OfToolOutputsSentForOneRunAtOnceExactlyOneContinuesItAndItAnswersOnce(string database)
    {
        await using var factory = await TestSupport.ServiceOnAsync(database);
        using var client = factory.Client($"usr_race_outputs_{database}");
        var (threadId, runId, callId) = await RunWaitingForOutputsAsync(client);

        var racer = 0;
        var answers = await RaceAsync(() => client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{runId}/submit_tool_outputs",
            new { tool_outputs = new[] { new { tool_call_id = callId, output = $"meaning {Interlocked.Increment(ref racer)}" } } }));
        await WaitForRunAsync(client, threadId, runId, "completed");
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?limit=100")).JsonAsync();
        var steps = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}/steps?limit=100")).JsonAsync();

        Assert.True(answers.Count(a => a.Status == HttpStatusCode.OK) == 1, Describe(answers));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a => Assert.Equal("invalid_run_state", CodeOf(a.Body)));
        Assert.Single(messages.GetProperty("data").EnumerateArray(), m => m.GetProperty("role").GetString() == "assistant");
        Assert.Equal(2, steps.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AMessageSentWhileARunIsStartingWaitsForItAndIsRefused(string database)
    {
        // The run brings a message with an attachment, so it asks document-service for the thread's store after finding
        // the thread free and before storing itself; the stand-in holds that call until the message has been sent.
        var runInWindow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var documents = await ScriptedHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            if (path.EndsWith("/knowledge", StringComparison.Ordinal))
            {
                await context.Response.WriteAsJsonAsync(new { assistant_id = path.Split('/')[3], version = "kv-1", instructions = Array.Empty<object>() });
                return;
            }
            runInWindow.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsJsonAsync(new { id = "vs_thread_store", @object = "vector_store" });
        });
        await using var factory = (await TestSupport.ServiceOnAsync(database)).WithDocuments(documents);
        using var client = factory.Client($"usr_race_message_{database}");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client);

        var starting = client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new
        {
            assistant_id = assistantId,
            tool_choice = "required",
            additional_messages = new[]
            {
                new { role = "user", content = "See the glossary.", attachments = new[] { new { file_id = "file_glossary", tools = new[] { new { type = "file_search" } } } } },
            },
        });
        await runInWindow.Task;
        var sending = client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new { role = "user", content = "Slipped in." });
        // However long this pause, the message cannot pass the starting run; the pause only gives a message that does
        // not wait for the thread the time to be stored first.
        await Task.WhenAny(sending, Task.Delay(TimeSpan.FromMilliseconds(500)));
        release.SetResult();
        using var started = await starting;
        using var sent = await sending;
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?limit=100")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, sent.StatusCode);
        Assert.Equal("thread_busy", CodeOf(await sent.Content.ReadAsStringAsync()));
        Assert.DoesNotContain(messages.GetProperty("data").EnumerateArray(), m =>
            m.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString() == "Slipped in.");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task OfMessagesWithAttachmentsSentToANewThreadAtOnceOneMakesItsStoreAndTheOthersAddToIt(string database)
    {
        var made = 0;
        var addedTo = new ConcurrentBag<string>();
        await using var documents = await ScriptedHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            if (path == "/v1/vector_stores")
            {
                // Slow, so every racer is past reading the thread while the first store is being made.
                await Task.Delay(TimeSpan.FromMilliseconds(200), context.RequestAborted);
                await context.Response.WriteAsJsonAsync(new { id = $"vs_made_{Interlocked.Increment(ref made)}", @object = "vector_store" });
                return;
            }
            addedTo.Add(path.Split('/')[3]);
            await context.Response.WriteAsJsonAsync(new { id = "vsfb_1", @object = "vector_store.files_batch" });
        });
        await using var factory = (await TestSupport.ServiceOnAsync(database)).WithDocuments(documents);
        using var client = factory.Client($"usr_race_attach_{database}");
        var thread = await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync();
        var threadId = thread.GetProperty("id").GetString()!;

        var racer = 0;
        var answers = await RaceAsync(() => client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new
        {
            role = "user",
            content = "See the attached notes.",
            attachments = new[] { new { file_id = $"file_note_{Interlocked.Increment(ref racer)}", tools = new[] { new { type = "file_search" } } } },
        }));
        var stored = await (await client.GetAsync($"/v1/threads/{threadId}")).JsonAsync();

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, Describe(answers)));
        Assert.Equal(1, made);
        Assert.Equal(Enumerable.Repeat("vs_made_1", Racers - 1), addedTo);
        Assert.Equal("vs_made_1", stored.GetProperty("tool_resources").GetProperty("file_search").GetProperty("vector_store_ids")[0].GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task OfACancelAndToolOutputsSentForAWaitingRunAtOnceTheAnswersAgreeWithHowTheRunEnds(string database)
    {
        await using var factory = await TestSupport.ServiceOnAsync(database);
        using var client = factory.Client($"usr_race_cancel_{database}");
        for (var round = 0; round < 8; round++)
        {
            var (threadId, runId, callId) = await RunWaitingForOutputsAsync(client);

            var racer = 0;
            var answers = await RaceAsync(() => Interlocked.Increment(ref racer) % 2 == 0
                ? client.PostAsync($"/v1/threads/{threadId}/runs/{runId}/cancel", null)
                : client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{runId}/submit_tool_outputs",
                    new { tool_outputs = new[] { new { tool_call_id = callId, output = "a happy accident" } } }), racers: 2);
            var ended = await WaitForRunEndAsync(client, threadId, runId);
            var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?limit=100")).JsonAsync();
            var answered = messages.GetProperty("data").EnumerateArray().Any(m => m.GetProperty("role").GetString() == "assistant");

            var statuses = answers.Where(a => a.Status == HttpStatusCode.OK)
                .Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("status").GetString()).ToList();
            var outcome = $"round {round}: answers [{string.Join(", ", statuses)}], run {ended}, assistant answered: {answered}\n{Describe(answers)}";
            // A cancel that says "cancelled" ended the run then and there: no tool outputs may have continued it.
            if (statuses.Contains("cancelled"))
            {
                Assert.True(statuses.Count == 1 && ended == "cancelled" && !answered, outcome);
            }
            else
            {
                // The outputs continued it; a cancel after them stops the run wherever the executor has got to.
                Assert.True(statuses.Contains("queued") && ended is "cancelled" or "completed" && (answered || ended == "cancelled"), outcome);
            }
        }
    }

    private static async Task<(string Assistant, string Thread)> AssistantAndThreadAsync(HttpClient client)
    {
        var assistant = await (await client.PostAsJsonAsync("/v1/assistants",
            new { model = "gpt-4o-mini", instructions = "Look words up.", tools = new[] { Lookup } })).JsonAsync();
        var thread = await (await client.PostAsJsonAsync("/v1/threads",
            new { messages = new[] { new { role = "user", content = "What does serendipity mean?" } } })).JsonAsync();
        return (assistant.GetProperty("id").GetString()!, thread.GetProperty("id").GetString()!);
    }

    /// <summary>A run on a new thread that called the function and waits for its output.</summary>
    private static async Task<(string Thread, string Run, string? CallId)> RunWaitingForOutputsAsync(HttpClient client)
    {
        var (assistantId, threadId) = await AssistantAndThreadAsync(client);
        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs",
            new { assistant_id = assistantId, tool_choice = "required" })).JsonAsync();
        var runId = run.GetProperty("id").GetString()!;
        var waiting = await WaitForRunAsync(client, threadId, runId, "requires_action");
        var callId = waiting.GetProperty("required_action").GetProperty("submit_tool_outputs").GetProperty("tool_calls")[0]
            .GetProperty("id").GetString();
        return (threadId, runId, callId);
    }

    /// <summary>Sends a request from each of <paramref name="racers"/> tasks released together.</summary>
    internal static async Task<(HttpStatusCode Status, string Body)[]> RaceAsync(Func<Task<HttpResponseMessage>> send, int racers = Racers)
    {
        using var start = new ManualResetEventSlim();
        var sending = Enumerable.Range(0, racers).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            using var response = await send();
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        })).ToList();
        start.Set();
        return await Task.WhenAll(sending);
    }

    internal static async Task<JsonElement> WaitForRunAsync(HttpClient client, string threadId, string runId, string status)
    {
        JsonElement run = default;
        await Wait.UntilAsync(async () =>
        {
            run = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync();
            return run.GetProperty("status").GetString() == status;
        }, TimeSpan.FromSeconds(30), $"run {runId} to be {status}");
        return run;
    }

    private static async Task<string> WaitForRunEndAsync(HttpClient client, string threadId, string runId)
    {
        string? status = null;
        await Wait.UntilAsync(async () =>
        {
            var run = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync();
            status = run.GetProperty("status").GetString();
            return status is "completed" or "cancelled" or "failed" or "expired" or "incomplete";
        }, TimeSpan.FromSeconds(30), $"run {runId} to end");
        return status!;
    }

    internal static string? CodeOf(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString();

    internal static string Describe(IEnumerable<(HttpStatusCode Status, string Body)> answers) =>
        string.Join("\n", answers.Select(a => $"{(int)a.Status} {a.Body}"));
}
