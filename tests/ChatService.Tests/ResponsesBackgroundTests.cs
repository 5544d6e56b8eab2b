using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatService.Model;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Data;

namespace ChatService.Tests;

/// <summary>
/// `background: true` on /v1/responses: answered at once, made by the service's worker, polled, cancelled, streamed
/// and resumed, and never left in progress by a service that stopped.
/// </summary>
public sealed class ResponsesBackgroundTests
{
    internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ABackgroundResponseIsAnsweredQueuedAndPolledUntilItCompletesWithTheModelsOutputAndUsageAndIsContinuedOnlyThen()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 42, "Answered", " later");
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_bg");

        var created = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Take your time", background = true })).JsonAsync();
        var id = created.GetProperty("id").GetString()!;
        var working = await WaitForStatusAsync(http, id, "in_progress");
        using var tooEarly = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "And then?", previous_response_id = id });
        release.SetResult();
        var done = await WaitForStatusAsync(http, id, "completed");

        Assert.Equal("queued", created.GetProperty("status").GetString());
        Assert.True(created.GetProperty("background").GetBoolean());
        Assert.Empty(created.GetProperty("output").EnumerateArray());
        Assert.Empty(working.GetProperty("output").EnumerateArray());
        Assert.True(done.GetProperty("background").GetBoolean());
        Assert.Equal("Answered later", done.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(42, done.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(2, done.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Contains("Take your time", Assert.Single(model.Requests).Body);
        Assert.Equal(HttpStatusCode.BadRequest, tooEarly.StatusCode);
        Assert.Equal("previous_response_id", JsonDocument.Parse(await tooEarly.Content.ReadAsStringAsync()).RootElement
            .GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task BackgroundResponsesBeyondTheConcurrencySettingStayQueuedUntilOneEndsAndCanBeCancelledThere()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 5, "Done");
        await using var service = TestSupport.Service().WithModel(model).With("Chat:BackgroundConcurrency", "1");
        using var http = service.Client("usr_bg_slots");

        var first = await CreateAsync(http, new { model = "gpt-4o-mini", input = "First", background = true });
        await WaitForStatusAsync(http, first, "in_progress");
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        var second = await CreateAsync(http, new { model = "gpt-4o-mini", input = "Second", background = true });
        var third = await CreateAsync(http, new { model = "gpt-4o-mini", input = "Third", background = true });
        var cancelled = await (await http.PostAsync($"/v1/responses/{third}/cancel", null)).JsonAsync();
        var secondWhileFirstIsMade = await (await http.GetAsync($"/v1/responses/{second}")).JsonAsync();
        var askedWhileFirstIsMade = model.Requests.Count;
        release.SetResult();
        await WaitForStatusAsync(http, first, "completed");
        await WaitForStatusAsync(http, second, "completed");

        Assert.Equal(1, askedWhileFirstIsMade);
        Assert.Equal("queued", secondWhileFirstIsMade.GetProperty("status").GetString());
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(2, model.Requests.Count);
        Assert.DoesNotContain(model.Requests, request => request.Body.Contains("Third", StringComparison.Ordinal));
        Assert.Equal("cancelled", (await (await http.GetAsync($"/v1/responses/{third}")).JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CancellingABackgroundResponseInProgressStopsTheModelCallAndEndsItCancelled()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("partial", upstreamAborted);
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_bg_cancel");

        var id = await CreateAsync(http, new { model = "gpt-4o-mini", input = "Go on and on", background = true });
        await WaitForStatusAsync(http, id, "in_progress");
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        var cancelled = await (await http.PostAsync($"/v1/responses/{id}/cancel", null)).JsonAsync();
        await upstreamAborted.Task.WaitAsync(Bound);
        var again = await (await http.PostAsync($"/v1/responses/{id}/cancel", null)).JsonAsync();

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("cancelled", again.GetProperty("status").GetString());
        Assert.Equal("cancelled", (await (await http.GetAsync($"/v1/responses/{id}")).JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ACancelOnAnotherReplicaStopsABackgroundResponseWhoseModelHasSaidNothingYet()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                upstreamAborted.TrySetResult();
            }
        });
        // The default lease (a minute, renewed every 15 s): the cancel reaches a silent model well before the next renewal.
        await using var making = TestSupport.Service().WithModel(model);
        await using var other = TestSupport.Service().With("ConnectionStrings:chatdb", making.Database());
        using var here = making.Client("usr_bg_replicas");
        using var there = other.Client("usr_bg_replicas");

        var id = await CreateAsync(here, new { model = "gpt-4o-mini", input = "Think hard", background = true });
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        var cancelled = await (await there.PostAsync($"/v1/responses/{id}/cancel", null)).JsonAsync();
        await upstreamAborted.Task.WaitAsync(Bound);

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
    }

    [Fact]
    public async Task DeletingABackgroundResponseBeingMadeStopsItsModelCall()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("partial", upstreamAborted);
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_bg_delete");

        var id = await CreateAsync(http, new { model = "gpt-4o-mini", input = "Go on and on", background = true });
        await WaitForStatusAsync(http, id, "in_progress");
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        using var deleted = await http.DeleteAsync($"/v1/responses/{id}");
        await upstreamAborted.Task.WaitAsync(Bound);
        using var gone = await http.GetAsync($"/v1/responses/{id}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task AQueuedResponseIsCancelledBeforeAnyModelIsAsked()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 1, "never"));
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_bg_queued");
        // Queued on another replica sharing the database, which has not taken it yet.
        using (var scope = service.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            db.Responses.Add(new ResponseEntity
            {
                Id = "resp_waitingelsewhere", OwnerId = "usr_bg_queued", Status = "queued", Model = "gpt-4o-mini", Background = true,
                CreatedAt = Ids.Now(), LeaseExpiresAt = Ids.Now() + 600,
            });
            await db.SaveChangesAsync();
        }

        var cancelled = await (await http.PostAsync("/v1/responses/resp_waitingelsewhere/cancel", null)).JsonAsync();

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.True(cancelled.GetProperty("background").GetBoolean());
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task BackgroundWithStoreFalseIsA400NamingStore()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_bg_store");

        using var response = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "hi", background = true, store = false });
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("store", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task AnotherUsersBackgroundResponseIsUnknownToRetrieveStreamAndCancel()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 1, "mine");
        await using var service = TestSupport.Service().WithModel(model);
        using var owner = service.Client("usr_bg_owner");
        using var stranger = service.Client("usr_bg_stranger");

        var id = await CreateAsync(owner, new { model = "gpt-4o-mini", input = "private", background = true });
        await WaitForStatusAsync(owner, id, "in_progress");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v1/responses/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v1/responses/{id}?stream=true")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/v1/responses/{id}/cancel", null)).StatusCode);
        release.SetResult();
        Assert.Equal("completed", (await WaitForStatusAsync(owner, id, "completed")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ABackgroundStreamShowsTheResponseQueuedThenMadeAndResumesAfterAnySequenceNumber()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_bg_stream");

        using var created = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Tell me something", background = true, stream = true });
        var events = Events(await created.Content.ReadAsStringAsync());
        var id = events[0].GetProperty("response").GetProperty("id").GetString();
        var resumed = Events(await http.GetStringAsync($"/v1/responses/{id}?stream=true&starting_after=3"));

        Assert.Equal(["response.created", "response.queued", "response.in_progress"], events.Take(3).Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("queued", events[0].GetProperty("response").GetProperty("status").GetString());
        Assert.Equal("in_progress", events[2].GetProperty("response").GetProperty("status").GetString());
        Assert.Equal("response.completed", events[^1].GetProperty("type").GetString());
        Assert.True(events[^1].GetProperty("response").GetProperty("background").GetBoolean());
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.GetProperty("sequence_number").GetInt32()));
        Assert.Equal(events.Skip(4).Select(e => e.GetRawText()), resumed.Select(e => e.GetRawText()));
    }

    [Fact]
    public async Task ABackgroundResponseInAConversationAddsItsInputAndAnswerToItOnceItEnds()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_bg_conv");
        var conversationId = (await (await http.PostAsJsonAsync("/v1/conversations", new { })).JsonAsync()).GetProperty("id").GetString();

        var id = await CreateAsync(http, new { model = "gpt-4o-mini", input = "Remember this", conversation = conversationId, background = true });
        var done = await WaitForStatusAsync(http, id, "completed");
        var items = await (await http.GetAsync($"/v1/conversations/{conversationId}/items?order=asc")).JsonAsync();

        Assert.Equal(conversationId, done.GetProperty("conversation").GetProperty("id").GetString());
        Assert.Equal(["Remember this", done.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()],
            items.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
    }

    [Fact]
    public async Task ABackgroundResponseSpendsTheKeysTokenBudgetAndFailsWhenItIsTooSmall()
    {
        await using var service = TestSupport.Service();
        using var http = service.CreateDefaultClient().ActAs("usr_bg_budget", "key_bg_budget", tpm: 5);

        var id = await CreateAsync(http, new { model = "gpt-4o-mini", input = "A question far longer than five tokens of budget allow", background = true });
        var failed = await WaitForStatusAsync(http, id, "failed");

        Assert.Equal("rate_limit_exceeded", failed.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("5 per minute", failed.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ABackgroundResponseTooLongForTheContextWithoutTruncationFailsSayingWhyAndAsksNoModel()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));
        await using var service = TestSupport.Service().WithModel(model).With("Chat:ContextTokens", "300");
        using var http = service.Client("usr_bg_too_long");
        var turns = Enumerable.Range(0, 5).Select(i => new { role = "user", content = $"turn{i}" + string.Concat(Enumerable.Repeat(" word", 98)) });

        var id = await CreateAsync(http, new { model = "gpt-4o-mini", input = turns, background = true });
        var failed = await WaitForStatusAsync(http, id, "failed");

        Assert.Contains("truncation", failed.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task AResponseBeingMadeWhenTheServiceStopsIsFailedAndTheModelCallStopped()
    {
        using var directory = TestDirectory.Create("db-");
        var database = $"Data Source={Path.Combine(directory.Path, "chatdb.db")}";
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("partial", upstreamAborted);
        string id;
        await using (var before = TestSupport.Service().With("ConnectionStrings:chatdb", database).WithModel(model))
        {
            using var http = before.Client("usr_bg_stop");
            id = await CreateAsync(http, new { model = "gpt-4o-mini", input = "Long work", background = true });
            await WaitForStatusAsync(http, id, "in_progress");
            await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        }
        await upstreamAborted.Task.WaitAsync(Bound);

        await using var after = TestSupport.Service().With("ConnectionStrings:chatdb", database).WithModel(model);
        var stopped = await (await after.Client("usr_bg_stop").GetAsync($"/v1/responses/{id}")).JsonAsync();

        Assert.Equal("failed", stopped.GetProperty("status").GetString());
        Assert.Equal("server_error", stopped.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task BackgroundResponsesWhoseProcessDiedAreFailedOnceTheirLeaseRunsOut(string database)
    {
        await using var service = (await TestSupport.ServiceOnAsync(database)).With("Chat:BackgroundLease", "00:00:01");
        using var http = service.Client("usr_bg_died");
        // Rows as a process killed mid-way leaves them: one taken, one still waiting, both with a lease run out.
        using (var scope = service.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            foreach (var (id, status) in new[] { ("resp_0diedworking", "in_progress"), ("resp_0diedwaiting", "queued") })
            {
                db.Responses.Add(new ResponseEntity
                {
                    Id = id, OwnerId = "usr_bg_died", Status = status, Model = "gpt-4o-mini", Background = true, CreatedAt = 1, LeaseExpiresAt = 2,
                });
            }
            await db.SaveChangesAsync();
        }

        var working = await WaitForStatusAsync(http, "resp_0diedworking", "failed");
        var waiting = await WaitForStatusAsync(http, "resp_0diedwaiting", "failed");

        Assert.Equal("server_error", working.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("server_error", waiting.GetProperty("error").GetProperty("code").GetString());
    }

    /// <summary>A model that answers <paramref name="text"/> only once <paramref name="release"/> is set.</summary>
    internal static Task<ScriptedHttpServer> HeldModelAsync(TaskCompletionSource release, int promptTokens, params string[] text) =>
        ScriptedHttpServer.StartAsync(async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await TestSupport.WriteCompletionStreamAsync(context, promptTokens, text);
        });

    internal static async Task<string> CreateAsync(HttpClient http, object body) =>
        (await (await http.PostAsJsonAsync("/v1/responses", body)).JsonAsync()).GetProperty("id").GetString()!;

    /// <summary>Polls the response until it has <paramref name="status"/>, within a bound, and returns it then.</summary>
    internal static async Task<JsonElement> WaitForStatusAsync(HttpClient http, string id, string status)
    {
        JsonElement last = default;
        await Wait.UntilAsync(async () =>
        {
            last = await (await http.GetAsync($"/v1/responses/{id}")).JsonAsync();
            return last.GetProperty("status").GetString() == status;
        }, Bound, $"response {id} to be {status}");
        return last;
    }

    internal static List<JsonElement> Events(string body) =>
        [.. body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement.Clone())];
}
