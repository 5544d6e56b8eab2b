using System.Net.Http.Json;
using ChatService.Model;
using ChatService.Services;
using ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ChatService.Tests.ResponsesBackgroundTests;

namespace ChatService.Tests;

/// <summary>
/// The manifests run chat-service as two replicas on one database. A replica that started failed every run in progress
/// there, the other replica's live ones too, and a cancel that reached the replica not executing the run never stopped
/// its model. Runs are now held under leases, as responses are: a replica ends only runs whose lease ran out, and passes
/// a cancel on to whichever replica executes the run. A replica whose clock is frozen never sweeps after it starts.
/// </summary>
public sealed class RunLeaseTests
{
    /// <summary>A clock this far behind lets a test move it on without the callers' tokens (minted now) expiring.</summary>
    private static readonly TimeSpan CallerTokensStayValid = TimeSpan.FromHours(1);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AReplicaThatStartsLeavesTheRunAnotherReplicaExecutesToFinish(string database)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 5, "Still ", "here.");
        await using var executingHost = (await TestSupport.ServiceOnAsync(database)).WithModel(model);
        await using var executing = executingHost.OnClock(new ManualTimeProvider(DateTimeOffset.UtcNow));
        using var http = executing.Client("usr_two_replicas");
        var (threadId, runId) = await PolledRunAsync(http);
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        // A run a process that died left behind: the starting replica's recovery ends it, which shows that recovery ran.
        var (deadThreadId, deadRunId) = await LeftRunAsync(executing.Services, http, "in_progress", lease: 2);

        await using var starting = TestSupport.Service().With("ConnectionStrings:chatdb", executing.Database()).WithModel(model);
        await Wait.UntilAsync(async () => (await RunAsync(starting.Services, deadRunId)).Status == "failed", Bound, "the starting replica to recover");
        var whileStarting = await RunAsync(starting.Services, runId);
        release.SetResult();
        await Wait.UntilAsync(async () => (await RunAsync(starting.Services, runId)).Status != "in_progress", Bound, "the run to end");
        var messages = await (await http.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync();

        Assert.NotEqual(deadThreadId, threadId);
        Assert.Equal("in_progress", whileStarting.Status);
        Assert.Equal("completed", (await RunAsync(starting.Services, runId)).Status);
        Assert.Equal("Still here.", messages.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AReplicaStalledPastItsLeaseCannotOverwriteTheFailureAnotherReplicasSweepRecorded(string database)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 5, "Too ", "late.");
        await using var executing = (await TestSupport.ServiceOnAsync(database)).WithModel(model);
        using var http = executing.Client("usr_run_stalled");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var sweepingHost = TestSupport.Service().With("ConnectionStrings:chatdb", executing.Database());
        await using var sweeping = sweepingHost.OnClock(clock);
        _ = sweeping.Services;
        var (threadId, runId) = await PolledRunAsync(http);
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");

        // The executing replica's lease, as the other replica sees it an hour on: run out.
        clock.Advance(TimeSpan.FromHours(1));
        await Wait.UntilAsync(async () => (await RunAsync(executing.Services, runId)).Status == "failed", Bound, "the other replica to fail the run");
        release.SetResult();
        var registry = executing.Services.GetRequiredService<RunRegistry>();
        await Wait.UntilAsync(() => Task.FromResult(!registry.Held().Contains(runId)), Bound, "the stalled replica to finish its answer");
        var run = await RunAsync(executing.Services, runId);
        var messages = await (await http.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync();

        Assert.Equal("failed", run.Status);
        Assert.Equal(RunLeaseKeeper.StoppedMessage, run.LastErrorMessage);
        Assert.Null(run.CompletedAt);
        Assert.DoesNotContain(messages.GetProperty("data").EnumerateArray(),
            m => m.GetProperty("content").EnumerateArray().Any(c => c.GetProperty("text").GetProperty("value").GetString() == "Too late."));
    }

    [Fact]
    public async Task ACancelThatReachesAnotherReplicaStopsTheModelWhereTheRunExecutes()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("Partly", upstreamAborted);
        await using var executing = TestSupport.Service().WithModel(model);
        await using var other = TestSupport.Service().With("ConnectionStrings:chatdb", executing.Database()).WithModel(model);
        using var here = executing.Client("usr_cancel_elsewhere");
        using var there = other.Client("usr_cancel_elsewhere");
        var (threadId, runId) = await PolledRunAsync(here);
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");

        var cancelling = await (await there.PostAsync($"/v1/threads/{threadId}/runs/{runId}/cancel", null)).JsonAsync();
        await upstreamAborted.Task.WaitAsync(Bound);
        await Wait.UntilAsync(async () => (await RunAsync(other.Services, runId)).Status == "cancelled", Bound, "the run to be recorded cancelled");
        var answer = (await (await there.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync()).GetProperty("data")[0];

        Assert.Equal("cancelling", cancelling.GetProperty("status").GetString());
        Assert.Equal("incomplete", answer.GetProperty("status").GetString());
        Assert.Equal("Partly", answer.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
    }

    [Fact]
    public async Task ARunsLeaseIsRenewedWhileItsProcessExecutesIt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 5, "Done.");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - CallerTokensStayValid);
        await using var host = TestSupport.Service().WithModel(model);
        await using var service = host.OnClock(clock);
        using var http = service.Client("usr_renewed");
        var (_, runId) = await PolledRunAsync(http);
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        var taken = await RunAsync(service.Services, runId);

        // Two minutes on, twice its one-minute lease: renewed every quarter, it never runs out.
        for (var quarter = 0; quarter < 8; quarter++)
        {
            clock.Advance(TimeSpan.FromSeconds(15));
            var due = clock.GetUtcNow().ToUnixTimeSeconds() + 60;
            await Wait.UntilAsync(async () => (await RunAsync(service.Services, runId)).LeaseExpiresAt == due, Bound, "the lease to be renewed");
        }
        var renewed = await RunAsync(service.Services, runId);
        release.SetResult();

        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds() - 120 + 60, taken.LeaseExpiresAt);
        Assert.Equal("in_progress", renewed.Status);
        await Wait.UntilAsync(async () => (await RunAsync(service.Services, runId)).Status == "completed", Bound, "the run to complete");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RunsWhoseProcessDiedAreEndedOnceTheirLeaseRunsOutAndAQueuedOneIsExecuted(string database)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 5, "Picked ", "up."));
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - CallerTokensStayValid);
        await using var host = (await TestSupport.ServiceOnAsync(database)).WithModel(model);
        await using var service = host.OnClock(clock);
        using var http = service.Client("usr_died_runs");
        var stillHeld = clock.GetUtcNow().ToUnixTimeSeconds() + 60;
        // As a killed process leaves them, each with a lease that has not run out yet; the executing one with its answer.
        var (workingThread, working) = await LeftRunAsync(service.Services, http, "in_progress", stillHeld);
        var (_, cancelling) = await LeftRunAsync(service.Services, http, "cancelling", stillHeld);
        var (_, waiting) = await LeftRunAsync(service.Services, http, "queued", stillHeld);
        var (answerId, stepId) = await AnswerInProgressAsync(service.Services, working);
        // A run that died with its lease already run out is ended by the next sweep; the three above are not, until the clock passes their leases.
        var (_, expired) = await LeftRunAsync(service.Services, http, "in_progress", stillHeld - 120);
        clock.Advance(TimeSpan.FromSeconds(15));
        await Wait.UntilAsync(async () => (await RunAsync(service.Services, expired)).Status == "failed", Bound, "a sweep to run");
        var beforeTheLeasesRanOut = new List<string>();
        foreach (var id in new[] { working, cancelling, waiting })
        {
            beforeTheLeasesRanOut.Add((await RunAsync(service.Services, id)).Status);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        await Wait.UntilAsync(async () => (await RunAsync(service.Services, waiting)).Status == "completed", Bound, "the waiting run to be executed");
        var answer = await (await http.GetAsync($"/v1/threads/{workingThread}/messages/{answerId}")).JsonAsync();
        var step = await (await http.GetAsync($"/v1/threads/{workingThread}/runs/{working}/steps/{stepId}")).JsonAsync();

        Assert.Equal(["in_progress", "cancelling", "queued"], beforeTheLeasesRanOut);
        Assert.Equal("failed", (await RunAsync(service.Services, working)).Status);
        Assert.Equal(RunLeaseKeeper.StoppedMessage, (await RunAsync(service.Services, working)).LastErrorMessage);
        Assert.Equal("cancelled", (await RunAsync(service.Services, cancelling)).Status);
        Assert.Equal("incomplete", answer.GetProperty("status").GetString());
        Assert.Equal("run_failed", answer.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal("failed", step.GetProperty("status").GetString());
        Assert.Single(model.Requests);
    }

    /// <summary>A thread with a question and a run on it, executed by this service.</summary>
    private static async Task<(string ThreadId, string RunId)> PolledRunAsync(HttpClient http)
    {
        var (threadId, assistantId) = await ThreadAsync(http);
        var run = await (await http.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId })).JsonAsync();
        return (threadId, run.GetProperty("id").GetString()!);
    }

    /// <summary>A thread with a question and a run on it as another process left it: <paramref name="status"/>, held until <paramref name="lease"/>.</summary>
    private static async Task<(string ThreadId, string RunId)> LeftRunAsync(IServiceProvider services, HttpClient http, string status, long lease)
    {
        var (threadId, assistantId) = await ThreadAsync(http);
        var runId = Ids.New("run");
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        db.Runs.Add(new RunEntity
        {
            Id = runId, ThreadId = threadId, AssistantId = assistantId, Status = status, Model = "gpt-4o-mini", CreatedAt = 1, LeaseExpiresAt = lease,
        });
        await db.SaveChangesAsync();
        return (threadId, runId);
    }

    private static async Task<(string ThreadId, string AssistantId)> ThreadAsync(HttpClient http)
    {
        var assistantId = await http.CreateAssistantAsync();
        var threadId = (await (await http.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "Tell me." } } })).JsonAsync())
            .GetProperty("id").GetString()!;
        return (threadId, assistantId);
    }

    /// <summary>The answer a run was writing when its process died: its message and message_creation step, in progress.</summary>
    private static async Task<(string MessageId, string StepId)> AnswerInProgressAsync(IServiceProvider services, string runId)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == runId);
        var message = new MessageEntity
        {
            Id = Ids.New("msg"), ThreadId = run.ThreadId, CreatedAt = 2, Role = "assistant", Content = "Half", Status = "in_progress",
            AssistantId = run.AssistantId, RunId = run.Id,
        };
        var step = RunSteps.New(run, "message_creation", RunSteps.MessageCreation(message.Id));
        db.Messages.Add(message);
        db.RunSteps.Add(step);
        await db.SaveChangesAsync();
        return (message.Id, step.Id);
    }

    private static async Task<RunEntity> RunAsync(IServiceProvider services, string runId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChatDbContext>().Runs.AsNoTracking().FirstAsync(r => r.Id == runId);
    }
}
