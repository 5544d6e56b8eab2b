using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>
/// Channel messages and the thread's lock, on SQLite and on real PostgreSQL: messages sent to a new channel at once make
/// one chat and are answered one after another, each question followed by its answer, and a message to a thread a run
/// holds is refused as /v1's messages are, leaving nothing behind.
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
}
