using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatService.Tests;

/// <summary>
/// Channel messages and the thread's lock, on SQLite and on real PostgreSQL: messages sent to a new channel at once make
/// one chat and are answered one after another, each question followed by its answer, and a message to a thread a run
/// holds is refused as /v1's messages are, leaving nothing behind. No transaction stays open while the model answers, so
/// the rest of the process keeps writing meanwhile.
/// </summary>
public sealed class RacingChannelMessagesTests
{
    private static object Message(string channelId, string text, string assistantId) =>
        new { channel = new { id = channelId, service = "telegram" }, username = "ana", message = text, assistant_id = assistantId };

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task MessagesSentToANewChannelAtOnceMakeOneChatAndAreAnsweredInTurnEachQuestionFollowedByItsAnswer(string database)
    {
        // A slow model keeps each answer open while the other messages arrive.
        var answered = 0;
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), context.RequestAborted);
            await TestSupport.WriteCompletionAsync(context, $"answer {Interlocked.Increment(ref answered)}", 10, 2);
        });
        await using var factory = (await TestSupport.ServiceOnAsync(database)).WithModel(model);
        using var client = factory.Client($"usr_chan_turns_{database}");
        var assistantId = await client.CreateAssistantAsync();

        var racer = 0;
        var answers = await RacingRunsTests.RaceAsync(() =>
            client.PostAsJsonAsync("/api/chats/messages", Message("turns-1", $"Question {Interlocked.Increment(ref racer)}", assistantId)));
        var chats = await (await client.GetAsync("/api/chats")).JsonAsync();
        var chat = Assert.Single(chats.GetProperty("data").EnumerateArray());
        var thread = await (await client.GetAsync($"/v1/threads/{chat.GetProperty("thread_id").GetString()}/messages?order=asc&limit=100")).JsonAsync();

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, RacingRunsTests.Describe(answers)));
        var roles = thread.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, answers.Length).SelectMany(_ => new[] { "user", "assistant" }), roles);
        // Every question reached the model with the earlier ones answered, and none of the questions still waiting.
        Assert.All(model.Requests, r =>
        {
            var said = JsonNode.Parse(r.Body)!["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()).Where(role => role != "system").ToList();
            Assert.Equal(said.Count(role => role == "user"), said.Count(role => role == "assistant") + 1);
        });
        // The turns were given back, and the replica forgot the thread's turn once no message waited for it.
        Assert.Equal(0, factory.Services.GetRequiredService<ThreadTurns>().Count);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AFirstMessageWhoseModelFailsTakesItsChatBackAndAMessageThatWaitedForItMakesTheChatAnew(string database)
    {
        var firstAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                firstAsked.TrySetResult();
                await release.Task.WaitAsync(context.RequestAborted);
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }
            await TestSupport.WriteCompletionAsync(context, "Second time lucky.", 10, 4);
        });
        await using var factory = (await TestSupport.ServiceOnAsync(database)).WithModel(model).With("Chat:ProviderRetries", "0");
        using var client = factory.Client($"usr_chan_withdrawn_{database}");
        var assistantId = await client.CreateAssistantAsync();
        var turns = factory.Services.GetRequiredService<ThreadTurns>();

        var first = client.PostAsJsonAsync("/api/chats/messages", Message("withdrawn-1", "First.", assistantId));
        await firstAsked.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var madeFirst = Assert.Single((await (await client.GetAsync("/api/chats")).JsonAsync()).GetProperty("data").EnumerateArray());
        var firstThread = madeFirst.GetProperty("thread_id").GetString()!;
        var second = client.PostAsJsonAsync("/api/chats/messages", Message("withdrawn-1", "Second.", assistantId));
        try
        {
            // The second message found the first one's chat and waits for the thread's turn.
            await Wait.UntilAsync(() => Task.FromResult(turns.MessagesOn(firstThread) == 2), TimeSpan.FromSeconds(60), "the second message to wait its turn");
        }
        finally
        {
            release.TrySetResult();
        }
        using var failed = await first;
        using var answered = await second;
        var answer = await answered.Content.ReadFromJsonAsync<JsonElement>();
        var chat = Assert.Single((await (await client.GetAsync("/api/chats")).JsonAsync()).GetProperty("data").EnumerateArray());
        var detail = await (await client.GetAsync($"/api/chats/{chat.GetProperty("id").GetString()}")).JsonAsync();
        var thread = await (await client.GetAsync($"/v1/threads/{chat.GetProperty("thread_id").GetString()}/messages?order=asc&limit=100")).JsonAsync();
        using var goneThread = await client.GetAsync($"/v1/threads/{firstThread}");

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("Second time lucky.", answer.GetProperty("answer").GetString());
        Assert.NotEqual(madeFirst.GetProperty("id").GetString(), chat.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, goneThread.StatusCode);
        Assert.Equal("Second.", Assert.Single(detail.GetProperty("entries").EnumerateArray()).GetProperty("message").GetString());
        Assert.Equal(["Second.", "Second time lucky."], thread.GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString()));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task MessagesToOneChannelThatReachTwoReplicasAreAnsweredInTurnToo(string database)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await TestSupport.WriteCompletionAsync(context, $"answer {Interlocked.Increment(ref answered)}", 10, 2);
        });
        await using var first = (await TestSupport.ServiceOnAsync(database)).WithModel(model);
        await using var second = TestSupport.Service().With("ConnectionStrings:chatdb", first.Database()).WithModel(model);
        using var here = first.Client($"usr_chan_replicas_{database}");
        using var there = second.Client($"usr_chan_replicas_{database}");
        var assistantId = await here.CreateAssistantAsync();
        var turnsThere = second.Services.GetRequiredService<ThreadTurns>();

        var asking = here.PostAsJsonAsync("/api/chats/messages", Message("replicas-1", "Question 1", assistantId));
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), TimeSpan.FromSeconds(60), "the first question to reach the model");
        var askingThere = there.PostAsJsonAsync("/api/chats/messages", Message("replicas-1", "Question 2", assistantId));
        try
        {
            // The other replica either asks at once (the turn ignored) or waits for the first replica's turn.
            await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 2 || turnsThere.WaitingElsewhere == 1),
                TimeSpan.FromSeconds(60), "the second message to wait or to be asked");
        }
        finally
        {
            release.TrySetResult();
        }
        using var one = await asking;
        using var two = await askingThere;
        var chat = Assert.Single((await (await here.GetAsync("/api/chats")).JsonAsync()).GetProperty("data").EnumerateArray());
        var thread = await (await here.GetAsync($"/v1/threads/{chat.GetProperty("thread_id").GetString()}/messages?order=asc&limit=100")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(["Question 1", "answer 1", "Question 2", "answer 2"], thread.GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString()));
    }

    [Fact]
    public async Task AChannelTurnHeldByAReplicaThatDiedIsFreeOnceItsLeaseRunsOut()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Here I am.", 10, 3));
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = TestSupport.Service().WithModel(model);
        await using var service = host.OnClock(clock);
        using var client = service.Client("usr_chan_dead_turn");
        var assistantId = await client.CreateAssistantAsync();
        using var opened = await client.PostAsJsonAsync("/api/chats/messages", Message("dead-turn-1", "Hello?", assistantId));
        var threadId = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("thread_id").GetString()!;
        // As a replica that died while its message waited for the model leaves the thread.
        using (var scope = service.Services.CreateScope())
        {
            var until = clock.GetUtcNow().ToUnixTimeSeconds() + (long)ThreadTurns.Lease.TotalSeconds;
            await scope.ServiceProvider.GetRequiredService<ChatService.Model.ChatDbContext>().Threads.Where(t => t.Id == threadId)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.TurnHolder, "turn_dead").SetProperty(t => t.TurnUntil, until));
        }
        var turns = service.Services.GetRequiredService<ThreadTurns>();

        var asking = client.PostAsJsonAsync("/api/chats/messages", Message("dead-turn-1", "Anyone?", assistantId));
        await Wait.UntilAsync(() => Task.FromResult(turns.WaitingElsewhere == 1), TimeSpan.FromSeconds(60), "the message to wait for the dead replica's turn");
        var askedWhileHeld = model.Requests.Count;
        clock.Advance(ThreadTurns.Lease + TimeSpan.FromSeconds(1));
        using var answered = await asking;

        Assert.Equal(1, askedWhileHeld);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(2, model.Requests.Count);
    }

    [Fact]
    public async Task AFirstMessageCancelledWhileTheModelAnswersLeavesNoChatBehind()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            asked.TrySetResult();
            // Never answers: the service gives up on it when its caller goes away.
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_chan_cancelled");
        var assistantId = await client.CreateAssistantAsync();

        using var leaving = new CancellationTokenSource();
        var sending = client.PostAsJsonAsync("/api/chats/messages", Message("cancelled-1", "Never mind.", assistantId), leaving.Token);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        await Wait.UntilAsync(async () =>
            (await (await client.GetAsync("/api/chats")).JsonAsync()).GetProperty("data").GetArrayLength() == 0
            && factory.Services.GetRequiredService<ThreadTurns>().Count == 0,
            TimeSpan.FromSeconds(60), "the cancelled message's chat to be taken back");
    }

    [Fact]
    public async Task WhileAChannelMessageWaitsForItsAnswerAnotherUsersWriteToTheSameSqliteFileGoesThrough()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            asked.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
            await TestSupport.WriteCompletionAsync(context, "Worth the wait.", 10, 4);
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_chan_held");
        using var other = factory.Client("usr_chan_other");
        var assistantId = await client.CreateAssistantAsync();

        var sending = client.PostAsJsonAsync("/api/chats/messages", Message("held-1", "Take your time.", assistantId));
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(60));
        HttpResponseMessage made;
        try
        {
            // The model holds its answer until this write has returned. A transaction held across the model call would
            // keep SQLite's one writer, and the write would wait out the 30 s busy timeout and fail, or outlast this bound.
            made = await other.PostAsJsonAsync("/v1/threads", new { }).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            release.TrySetResult();
        }
        using var madeThread = made;
        using var answered = await sending;
        var answer = await answered.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, madeThread.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("Worth the wait.", answer.GetProperty("answer").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AChannelMessageToAThreadARunHoldsIsRefusedAsBusyAndNothingIsStored(string database)
    {
        await using var factory = await TestSupport.ServiceOnAsync(database);
        using var client = factory.Client($"usr_chan_busy_{database}");
        var assistant = await (await client.PostAsJsonAsync("/v1/assistants",
            new { model = "gpt-4o-mini", instructions = "Look words up.", tools = new[] { RacingRunsTests.Lookup } })).JsonAsync();
        var assistantId = assistant.GetProperty("id").GetString()!;
        var first = await (await client.PostAsJsonAsync("/api/chats/messages", Message("busy-1", "What does serendipity mean?", assistantId))).JsonAsync();
        var (chatId, threadId) = (first.GetProperty("chat_id").GetString(), first.GetProperty("thread_id").GetString()!);
        // A run that calls the function waits for its output, holding the thread meanwhile.
        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs",
            new { assistant_id = assistantId, tool_choice = "required" })).JsonAsync();
        await RacingRunsTests.WaitForRunAsync(client, threadId, run.GetProperty("id").GetString()!, "requires_action");

        using var refused = await client.PostAsJsonAsync("/api/chats/messages", Message("busy-1", "Slipped in.", assistantId));
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var detail = await (await client.GetAsync($"/api/chats/{chatId}")).JsonAsync();
        var thread = await (await client.GetAsync($"/v1/threads/{threadId}/messages?limit=100")).JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("thread_busy", problem.GetProperty("code").GetString());
        Assert.Single(detail.GetProperty("entries").EnumerateArray());
        Assert.DoesNotContain(thread.GetProperty("data").EnumerateArray(), m =>
            m.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString() == "Slipped in.");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task WhileAChannelMessageIsAnsweredV1MessagesAndRunsOnItsThreadAreRefusedAsBusySoNothingLandsBetweenQuestionAndAnswer(string database)
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            asked.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
            await TestSupport.WriteCompletionAsync(context, "The answer.", 10, 2);
        });
        await using var factory = (await TestSupport.ServiceOnAsync(database)).WithModel(model);
        using var client = factory.Client($"usr_chan_v1_busy_{database}");
        var assistantId = await client.CreateAssistantAsync();

        var answering = client.PostAsJsonAsync("/api/chats/messages", Message("v1-busy-1", "The question?", assistantId));
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var threadId = Assert.Single((await (await client.GetAsync("/api/chats")).JsonAsync()).GetProperty("data").EnumerateArray())
            .GetProperty("thread_id").GetString()!;
        HttpResponseMessage message, run;
        try
        {
            message = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new { role = "user", content = "Butting in." });
            run = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId });
        }
        finally
        {
            release.TrySetResult();
        }
        using var refusedMessage = message;
        using var refusedRun = run;
        using var answered = await answering;
        using var after = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new { role = "user", content = "My turn now." });
        var thread = await (await client.GetAsync($"/v1/threads/{threadId}/messages?order=asc&limit=100")).JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refusedMessage.StatusCode);
        Assert.Equal("thread_busy", RacingRunsTests.CodeOf(await refusedMessage.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, refusedRun.StatusCode);
        Assert.Equal("thread_busy", RacingRunsTests.CodeOf(await refusedRun.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(["The question?", "The answer.", "My turn now."], thread.GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString()));
    }
}
