using System.Net.Http.Json;
using System.Text.Json;
using ChatService.Model;
using Microsoft.Extensions.DependencyInjection;

namespace ChatService.Tests;

public sealed class RunRecoveryAndDisconnectTests
{
    [Fact]
    public async Task RunsLeftByAStoppedProcessAreResumedOrEndedOnStart()
    {
        using var directory = TestDirectory.Create("db-");
        var database = $"Data Source={Path.Combine(directory.Path, "chatdb.db")}";
        string assistantId, threadId;
        await using (var before = new ServiceFactory<Program>().With("ConnectionStrings:chatdb", database).With("Resilience:MaxRetries", "0"))
        {
            using var client = before.Client("usr_restart");
            assistantId = await client.CreateAssistantAsync();
            threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "hello" } } })).JsonAsync())
                .GetProperty("id").GetString()!;
            // Rows as a process that stopped mid-way leaves them: one run waiting, one being executed.
            using var scope = before.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            db.Runs.Add(new RunEntity { Id = "run_0000000000001waiting", ThreadId = threadId, AssistantId = assistantId, Status = "queued", Model = "m", CreatedAt = 1 });
            db.Runs.Add(new RunEntity { Id = "run_0000000000000working", ThreadId = threadId, AssistantId = assistantId, Status = "in_progress", Model = "m", CreatedAt = 1 });
            // Bypass the queue: this process "stops" before it executes the waiting run.
            await db.SaveChangesAsync();
        }

        await using var after = new ServiceFactory<Program>().With("ConnectionStrings:chatdb", database).With("Resilience:MaxRetries", "0");
        using var again = after.Client("usr_restart");
        await Wait.UntilAsync(async () => (await (await again.GetAsync($"/v1/threads/{threadId}/runs/run_0000000000001waiting")).JsonAsync())
            .GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(15), "the waiting run to complete");
        var working = await (await again.GetAsync($"/v1/threads/{threadId}/runs/run_0000000000000working")).JsonAsync();

        Assert.Equal("failed", working.GetProperty("status").GetString());
        Assert.Equal("server_error", working.GetProperty("last_error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task AStreamedRunWhoseClientLeavesIsCancelledUpstreamAndRecordedCancelled()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("partial", upstreamAborted);
        await using var factory = TestSupport.Service().WithModel(model);
        var address = factory.StartOnKestrel();
        // No draining on dispose: the connection closes at once, as when a browser tab or a CLI goes away.
        using var http = new HttpClient(new CallerHandler("usr_leave", null, null) { InnerHandler = new SocketsHttpHandler { MaxResponseDrainSize = 0 } })
        {
            BaseAddress = address,
        };
        var assistantId = await http.CreateAssistantAsync();
        var threadId = (await (await http.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "hi" } } })).JsonAsync())
            .GetProperty("id").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/threads/{threadId}/runs")
        {
            Content = JsonContent.Create(new { assistant_id = assistantId, stream = true }),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null && !line.Contains("\"partial\"", StringComparison.Ordinal))
            {
            }
            Assert.NotNull(line);
        }
        response.Dispose();

        await upstreamAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(async () =>
        {
            var runs = await (await http.GetAsync($"/v1/threads/{threadId}/runs")).JsonAsync();
            return runs.GetProperty("data")[0].GetProperty("status").GetString() == "cancelled";
        }, TimeSpan.FromSeconds(10), "the run to be recorded cancelled");
    }
}
