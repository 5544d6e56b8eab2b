using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatService.Apis;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Data;

namespace ChatService.Tests;

/// <summary>
/// A streamed run is stored before its first event is written. A client gone at that first write once left the run
/// queued for good, its thread refusing every message and run (thread_busy) until chat-service restarted; gone at the
/// write that announced the answer's message, it left that message "in_progress" under a cancelled run. Wherever the
/// client leaves, the run now ends, its parts end with it, and the thread is free. A run the service's own shutdown
/// stops ends failed with a server_error: nobody cancelled it.
/// </summary>
public sealed class StreamedRunEndingTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    [InlineData(6, false)]
    [InlineData(8, true)]
    public async Task AClientGoneAtAnyEventLeavesTheRunEndedItsAnswerEndedAndItsThreadFree(int eventsWritten, bool requestAbortedToo)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 5, "Hello ", "there, ", "friend."));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_gone");
        var (threadId, run) = await QueuedRunAsync(factory, client);
        using var scope = factory.Services.CreateScope();
        using var aborted = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = aborted.Token };
        context.Response.Body = new ClientGoneAfter(eventsWritten, requestAbortedToo ? aborted : null);

        await RunsApi.StreamAsync(run, new SseWriter(context), scope.ServiceProvider.GetRequiredService<RunExecutor>(), context, null,
            context.RequestAborted, lead: [("thread.run.created", RunObject.From(run))]);

        var ended = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{run.Id}")).JsonAsync();
        var messages = (await (await client.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync()).GetProperty("data").EnumerateArray().ToList();
        var steps = (await (await client.GetAsync($"/v1/threads/{threadId}/runs/{run.Id}/steps")).JsonAsync()).GetProperty("data").EnumerateArray().ToList();
        using var next = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new { role = "user", content = "Still there?" });

        Assert.Equal("cancelled", ended.GetProperty("status").GetString());
        Assert.DoesNotContain(messages, m => m.GetProperty("status").GetString() == "in_progress");
        Assert.DoesNotContain(steps, s => s.GetProperty("status").GetString() == "in_progress");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task ARunTheServicesShutdownStopsEndsFailedWithAServerErrorAndItsAnswerIncomplete()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("Partly", upstreamAborted);
        using var directory = TestDirectory.Create("db-");
        var database = $"Data Source={Path.Combine(directory.Path, "chatdb.db")}";
        string threadId, runId;
        await using (var before = new ServiceFactory<Program>().With("ConnectionStrings:chatdb", database).With("Resilience:MaxRetries", "0").WithModel(model))
        {
            using var client = before.Client("usr_stop");
            var assistantId = await client.CreateAssistantAsync();
            using var created = await client.PostAsJsonAsync("/v1/threads/runs",
                new { assistant_id = assistantId, thread = new { messages = new[] { new { role = "user", content = "Tell me everything." } } } });
            var run = await created.JsonAsync();
            (threadId, runId) = (run.GetProperty("thread_id").GetString()!, run.GetProperty("id").GetString()!);
            await Wait.UntilAsync(async () => (await (await client.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync())
                .GetProperty("data").EnumerateArray().Any(m => m.GetProperty("role").GetString() == "assistant"), TimeSpan.FromSeconds(15), "the answer to begin");
        }

        await using var after = new ServiceFactory<Program>().With("ConnectionStrings:chatdb", database).With("Resilience:MaxRetries", "0").WithModel(model);
        using var again = after.Client("usr_stop");
        var stopped = await (await again.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync();
        var answer = (await (await again.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync())
            .GetProperty("data").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "assistant");

        Assert.Equal("failed", stopped.GetProperty("status").GetString());
        Assert.Equal("server_error", stopped.GetProperty("last_error").GetProperty("code").GetString());
        Assert.Contains("stopped", stopped.GetProperty("last_error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("incomplete", answer.GetProperty("status").GetString());
        Assert.Equal("Partly", answer.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
    }

    [Fact]
    public async Task AnAnswerLeftInProgressUnderAnEndedRunIsEndedWhenTheServiceStarts()
    {
        using var directory = TestDirectory.Create("db-");
        var database = $"Data Source={Path.Combine(directory.Path, "chatdb.db")}";
        string threadId;
        await using (var before = new ServiceFactory<Program>().With("ConnectionStrings:chatdb", database).With("Resilience:MaxRetries", "0"))
        {
            using var client = before.Client("usr_left");
            var assistantId = await client.CreateAssistantAsync();
            threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
            // Rows as the old stop left them: the run cancelled, its answer and step still in progress.
            using var scope = before.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            var run = new RunEntity { Id = "run_000000000000000ended", ThreadId = threadId, AssistantId = assistantId, Status = "cancelled", Model = "m", CreatedAt = 1 };
            db.Runs.Add(run);
            db.Messages.Add(new MessageEntity
            {
                Id = "msg_00000000000000000left", ThreadId = threadId, CreatedAt = 1, Role = "assistant", Content = "", Status = "in_progress",
                AssistantId = assistantId, RunId = run.Id,
            });
            db.RunSteps.Add(RunSteps.New(run, "message_creation", RunSteps.MessageCreation("msg_00000000000000000left")));
            await db.SaveChangesAsync();
        }

        await using var after = new ServiceFactory<Program>().With("ConnectionStrings:chatdb", database).With("Resilience:MaxRetries", "0");
        using var again = after.Client("usr_left");
        await Wait.UntilAsync(async () => (await (await again.GetAsync($"/v1/threads/{threadId}/messages/msg_00000000000000000left")).JsonAsync())
            .GetProperty("status").GetString() != "in_progress", TimeSpan.FromSeconds(15), "the start-up to end the answer");
        var answer = await (await again.GetAsync($"/v1/threads/{threadId}/messages/msg_00000000000000000left")).JsonAsync();
        var step = (await (await again.GetAsync($"/v1/threads/{threadId}/runs/run_000000000000000ended/steps")).JsonAsync()).GetProperty("data")[0];

        Assert.Equal("incomplete", answer.GetProperty("status").GetString());
        Assert.Equal("run_cancelled", answer.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal("cancelled", step.GetProperty("status").GetString());
    }

    /// <summary>A thread with a question and a streamed run on it stored queued, as the create route stores it before its first event.</summary>
    private static async Task<(string ThreadId, RunEntity Run)> QueuedRunAsync(ServiceFactory<Program> factory, HttpClient client)
    {
        var assistantId = await client.CreateAssistantAsync();
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "Hi?" } } })).JsonAsync())
            .GetProperty("id").GetString()!;
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var assistant = await db.Assistants.AsNoTracking().SingleAsync(a => a.Id == assistantId);
        var run = new RunEntity { Id = Ids.New("run"), ThreadId = threadId, AssistantId = assistantId, Status = "queued", Model = assistant.Model, CreatedAt = Ids.Now() };
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        return (threadId, run);
    }

    /// <summary>A response body whose client goes away after some events: the next write fails as a reset connection does,
    /// and the request's token may say so at the same moment.</summary>
    private sealed class ClientGoneAfter(int events, CancellationTokenSource? aborted) : MemoryStream
    {
        private int _flushed;

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_flushed++ >= events)
            {
                if (aborted is not null)
                {
                    await aborted.CancelAsync();
                    throw new OperationCanceledException(aborted.Token);
                }
                throw new IOException("The client reset the connection.");
            }
            await base.FlushAsync(cancellationToken);
        }
    }
}
