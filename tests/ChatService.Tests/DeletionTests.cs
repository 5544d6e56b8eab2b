using System.Net;
using System.Net.Http.Json;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatService.Tests;

/// <summary>
/// What a delete takes with it, on PostgreSQL and Redis: a thread its run steps and the channel chat that is it, an
/// assistant its channels' chats; and a channel whose thread is gone goes on in a new one instead of failing.
/// </summary>
public sealed class DeletionTests
{
    private static object Message(string channelId, string text) =>
        new { channel = new { id = channelId, service = "whatsapp" }, username = "eve", message = text };

    private static async Task<T> InDatabaseAsync<T>(ServiceFactory<Program> factory, Func<ChatDbContext, Task<T>> use)
    {
        using var scope = factory.Services.CreateScope();
        return await use(scope.ServiceProvider.GetRequiredService<ChatDbContext>());
    }

    [Fact]
    public async Task DeletingAChannelsThreadTakesItsChatAndTheChannelsNextMessageStartsANewOne()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Hello Eve", 9, 2));
        await using var factory = await ChannelChatsTests.OnRealServersAsync(model);
        using var owner = factory.Client("usr_del_channel");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_del_channel", [assistantId]);
        var first = await (await key.PostAsJsonAsync("/api/chats/messages", Message("+15550777", "hello"))).JsonAsync();
        var threadId = first.GetProperty("thread_id").GetString()!;
        var chatId = first.GetProperty("chat_id").GetString()!;

        using var deleted = await owner.DeleteAsync($"/v1/threads/{threadId}");
        using var chatAfter = await key.GetAsync($"/api/chats/{chatId}");
        using var again = await key.PostAsJsonAsync("/api/chats/messages", Message("+15550777", "hello again"));
        var second = await again.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, chatAfter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(second.GetProperty("answered").GetBoolean());
        Assert.NotEqual(threadId, second.GetProperty("thread_id").GetString());
        Assert.NotEqual(chatId, second.GetProperty("chat_id").GetString());
        Assert.Equal(0, await InDatabaseAsync(factory, db => db.ChatEntries.CountAsync(e => e.ChatId == chatId)));
    }

    [Fact]
    public async Task AChatAnEarlierVersionLeftNamingADeletedThreadIsMadeAnewByTheChannelsNextMessage()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Hello Eve", 9, 2));
        await using var factory = await ChannelChatsTests.OnRealServersAsync(model);
        using var owner = factory.Client("usr_del_left");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_del_left", [assistantId]);
        var first = await (await key.PostAsJsonAsync("/api/chats/messages", Message("+15550778", "hello"))).JsonAsync();
        var threadId = first.GetProperty("thread_id").GetString()!;
        // As a thread's delete did before it took the chat with it.
        await InDatabaseAsync(factory, db => db.Threads.Where(t => t.Id == threadId).ExecuteDeleteAsync());

        using var again = await key.PostAsJsonAsync("/api/chats/messages", Message("+15550778", "hello again"));
        var second = await again.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(second.GetProperty("answered").GetBoolean());
        Assert.NotEqual(threadId, second.GetProperty("thread_id").GetString());
    }

    [Fact]
    public async Task DeletingAThreadTakesItsRunSteps()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));
        await using var factory = await ChannelChatsTests.OnRealServersAsync(model);
        using var client = factory.Client("usr_del_steps");
        var assistantId = await client.CreateAssistantAsync();
        var run = await (await client.PostAsJsonAsync("/v1/threads/runs", new
        {
            assistant_id = assistantId,
            thread = new { messages = new[] { new { role = "user", content = "hi" } } },
        })).JsonAsync();
        var threadId = run.GetProperty("thread_id").GetString()!;
        await Wait.UntilAsync(async () => await InDatabaseAsync(factory, db => db.RunSteps.AnyAsync(s => s.ThreadId == threadId && s.Status == "completed")),
            TimeSpan.FromSeconds(30), "the run's message step");

        using var deleted = await client.DeleteAsync($"/v1/threads/{threadId}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0, await InDatabaseAsync(factory, db => db.RunSteps.CountAsync(s => s.ThreadId == threadId)));
    }

    [Fact]
    public async Task DeletingAThreadWhileItsRunIsAnsweringStopsTheModelCallAndLeavesNoStepBehind()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("thinking", upstreamAborted);
        await using var factory = await ChannelChatsTests.OnRealServersAsync(model);
        using var client = factory.Client("usr_del_live_run");
        var assistantId = await client.CreateAssistantAsync();
        var run = await (await client.PostAsJsonAsync("/v1/threads/runs", new
        {
            assistant_id = assistantId,
            thread = new { messages = new[] { new { role = "user", content = "Think long" } } },
        })).JsonAsync();
        var threadId = run.GetProperty("thread_id").GetString()!;
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), TimeSpan.FromSeconds(30), "the model to be asked");

        using var deleted = await client.DeleteAsync($"/v1/threads/{threadId}");
        await upstreamAborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var runs = factory.Services.GetRequiredService<ChatService.Services.RunRegistry>();
        await Wait.UntilAsync(() => Task.FromResult(!runs.Held().Contains(run.GetProperty("id").GetString()!)),
            TimeSpan.FromSeconds(30), "the run's executor to let go");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0, await InDatabaseAsync(factory, db => db.RunSteps.CountAsync(s => s.ThreadId == threadId)));
        Assert.Equal(0, await InDatabaseAsync(factory, db => db.Messages.CountAsync(m => m.ThreadId == threadId)));
    }

    [Fact]
    public async Task DeletingAnAssistantTakesItsChannelsChatsAndLeavesTheirThreads()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Hello Eve", 9, 2));
        await using var factory = await ChannelChatsTests.OnRealServersAsync(model);
        using var owner = factory.Client("usr_del_assistant");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_del_assistant", [assistantId]);
        var first = await (await key.PostAsJsonAsync("/api/chats/messages", Message("+15550779", "hello"))).JsonAsync();
        var chatId = first.GetProperty("chat_id").GetString()!;

        using var deleted = await owner.DeleteAsync($"/v1/assistants/{assistantId}");
        var chats = await (await owner.GetAsync("/api/chats")).JsonAsync();
        using var thread = await owner.GetAsync($"/v1/threads/{first.GetProperty("thread_id").GetString()}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.DoesNotContain(chats.GetProperty("data").EnumerateArray(), c => c.GetProperty("id").GetString() == chatId);
        Assert.Equal(0, await InDatabaseAsync(factory, db => db.ChatEntries.CountAsync(e => e.ChatId == chatId)));
        Assert.Equal(HttpStatusCode.OK, thread.StatusCode);
    }
}
