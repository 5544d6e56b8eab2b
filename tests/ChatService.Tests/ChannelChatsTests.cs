using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>Channel chats end to end on real PostgreSQL and Redis, with a scripted model to see what it is sent.</summary>
public sealed class ChannelChatsTests
{
    internal static async Task<ServiceFactory<Program>> OnRealServersAsync(ScriptedHttpServer model)
    {
        var postgres = await SharedServers.PostgresAsync();
        var redis = await SharedServers.RedisAsync();
        return new ServiceFactory<Program>()
            .With("ConnectionStrings:chatdb", await postgres.CreateDatabaseAsync("chat"))
            .With("ConnectionStrings:cache", redis.ConnectionString)
            .With("Resilience:MaxRetries", "0")
            .WithModel(model);
    }

    private static object Message(string channelId, string text, string user = "ana") =>
        new { channel = new { id = channelId, service = "whatsapp" }, username = user, message = text };

    [Fact]
    public async Task ChannelMessagesKeepOneThreadPerChannelAndRecordEachExchange()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
            TestSupport.WriteCompletionAsync(context, $"answer {context.Request.Headers.ContentLength}", 30, 4));
        await using var factory = await OnRealServersAsync(model);
        using var owner = factory.Client("usr_chan1");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_chan1", [assistantId]);

        var first = await (await key.PostAsJsonAsync("/api/chats/messages", Message("+4915100000001", "Hello there"))).JsonAsync();
        using var secondResponse = await key.PostAsJsonAsync("/api/chats/messages", Message("+4915100000001", "And again"));
        var second = await secondResponse.JsonAsync();
        var otherChannel = await (await key.PostAsJsonAsync("/api/chats/messages", Message("+4915100000002", "Someone else", "ben"))).JsonAsync();
        var detail = await (await key.GetAsync($"/api/chats/{first.GetProperty("chat_id").GetString()}")).JsonAsync();
        var thread = await (await owner.GetAsync($"/v1/threads/{first.GetProperty("thread_id").GetString()}/messages?order=asc")).JsonAsync();

        Assert.True(first.GetProperty("answered").GetBoolean());
        Assert.StartsWith("chat_", first.GetProperty("chat_id").GetString());
        Assert.Equal(first.GetProperty("chat_id").GetString(), second.GetProperty("chat_id").GetString());
        Assert.Equal(first.GetProperty("thread_id").GetString(), second.GetProperty("thread_id").GetString());
        Assert.NotEqual(first.GetProperty("thread_id").GetString(), otherChannel.GetProperty("thread_id").GetString());
        Assert.Equal("30,4", secondResponse.Headers.GetValues("X-Usage-Tokens").Single());
        Assert.Equal("miss", secondResponse.Headers.GetValues("X-Cache").Single());

        // The second call to the model carries the first exchange as history.
        var secondPrompt = JsonNode.Parse(model.Requests[1].Body)!["messages"]!.AsArray().Select(m => m!["content"]!.ToJsonString()).ToList();
        Assert.Contains(secondPrompt, m => m.Contains("Hello there"));
        Assert.Contains(secondPrompt, m => m.Contains(first.GetProperty("answer").GetString()!));

        var entries = detail.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("Hello there", entries[0].GetProperty("message").GetString());
        Assert.Equal(first.GetProperty("answer").GetString(), entries[0].GetProperty("response").GetString());
        Assert.Equal(30, entries[0].GetProperty("tokens_in").GetInt32());
        Assert.Equal(4, entries[0].GetProperty("tokens_out").GetInt32());
        Assert.True(entries[0].GetProperty("active").GetBoolean());
        Assert.Equal("whatsapp", detail.GetProperty("chat").GetProperty("channel").GetProperty("service").GetString());
        Assert.Equal(4, thread.GetProperty("data").GetArrayLength());

        // The channel → chat mapping is cached in Redis.
        var redis = await SharedServers.RedisAsync();
        var cached = await new ServiceDefaults.Caching.RedisKeyValueStore(new ServiceDefaults.Caching.RedisConnection(redis.ConnectionString))
            .GetAsync($"chat-service:channel:{assistantId}:whatsapp:+4915100000001");
        Assert.Equal(first.GetProperty("chat_id").GetString(), cached);
    }

    [Fact]
    public async Task AnInactiveChatStoresIncomingMessagesWithoutAnsweringUntilReactivated()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "bot answer", 10, 2));
        await using var factory = await OnRealServersAsync(model);
        using var owner = factory.Client("usr_chan2");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_chan2", [assistantId]);
        var first = await (await key.PostAsJsonAsync("/api/chats/messages", Message("c-1", "Hi bot"))).JsonAsync();
        var chatId = first.GetProperty("chat_id").GetString();

        var deactivated = await (await owner.PostAsync($"/api/chats/{chatId}/deactivate", null)).JsonAsync();
        var whileInactive = await (await key.PostAsJsonAsync("/api/chats/messages", Message("c-1", "I want a human"))).JsonAsync();
        var inactiveList = await (await owner.GetAsync("/api/chats?active=false")).JsonAsync();
        var activeList = await (await owner.GetAsync("/api/chats?active=true")).JsonAsync();
        await owner.PostAsync($"/api/chats/{chatId}/activate", null);
        var afterReactivation = await (await key.PostAsJsonAsync("/api/chats/messages", Message("c-1", "Back to the bot"))).JsonAsync();
        var detail = await (await owner.GetAsync($"/api/chats/{chatId}")).JsonAsync();

        Assert.False(deactivated.GetProperty("active").GetBoolean());
        Assert.False(whileInactive.GetProperty("answered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, whileInactive.GetProperty("answer").ValueKind);
        Assert.Equal(2, model.Requests.Count);
        Assert.Equal([chatId], inactiveList.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Empty(activeList.GetProperty("data").EnumerateArray());
        Assert.True(afterReactivation.GetProperty("answered").GetBoolean());
        var entries = detail.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["Hi bot", "I want a human", "Back to the bot"], entries.Select(e => e.GetProperty("message").GetString()));
        Assert.False(entries[1].GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entries[1].GetProperty("response").ValueKind);
        // The message the person handled is part of the thread the bot reads afterwards.
        Assert.Contains("I want a human", model.Requests[1].Body);
    }

    [Fact]
    public async Task AnAnswerCutAtItsTokenCapIsStoredIncompleteAndTheChannelsReplySaysItWasCut()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
            ScriptedModel.CompletionAsync(context, new { role = "assistant", content = "Employees get 25 vacation" }, "length", 20, 5));
        await using var factory = TestSupport.Service().WithModel(model);
        using var owner = factory.Client("usr_chancut");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_chancut", [assistantId]);

        var cut = await (await key.PostAsJsonAsync("/api/chats/messages", Message("cut-1", "How many vacation days?"))).JsonAsync();
        await key.PostAsJsonAsync("/api/chats/messages", Message("cut-1", "Go on"));
        var thread = await (await owner.GetAsync($"/v1/threads/{cut.GetProperty("thread_id").GetString()}/messages?order=asc")).JsonAsync();
        var detail = await (await key.GetAsync($"/api/chats/{cut.GetProperty("chat_id").GetString()}")).JsonAsync();
        using var asked = await key.PostAsync("/api/ask", TestSupport.Text("How many vacation days?"));

        Assert.Equal("Employees get 25 vacation" + Apis.ChannelChatsApi.CutNote, cut.GetProperty("answer").GetString());
        Assert.Equal("incomplete", cut.GetProperty("status").GetString());
        Assert.Equal("max_tokens", cut.GetProperty("incomplete_details").GetProperty("reason").GetString());
        var answer = thread.GetProperty("data")[1];
        Assert.Equal("incomplete", answer.GetProperty("status").GetString());
        Assert.Equal("max_tokens", answer.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Number, answer.GetProperty("incomplete_at").ValueKind);
        Assert.Equal("Employees get 25 vacation", answer.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
        Assert.Equal(cut.GetProperty("answer").GetString(), detail.GetProperty("entries")[0].GetProperty("response").GetString());
        // What was said before the cap stays the conversation's, as a run's cut answer does, without the note.
        Assert.Contains("Employees get 25 vacation", model.Requests[1].Body);
        Assert.DoesNotContain("cut short", model.Requests[1].Body);
        Assert.Equal("Employees get 25 vacation" + Apis.ChannelChatsApi.CutNote + "\n", await asked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AWholeAnswerIsCompletedWithoutANote()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "All of it.", 10, 3));
        await using var factory = TestSupport.Service().WithModel(model);
        using var owner = factory.Client("usr_chanwhole");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_chanwhole", [assistantId]);

        var whole = await (await key.PostAsJsonAsync("/api/chats/messages", Message("whole-1", "Everything?"))).JsonAsync();

        Assert.Equal("All of it.", whole.GetProperty("answer").GetString());
        Assert.Equal("completed", whole.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("incomplete_details").ValueKind);
    }

    [Fact]
    public async Task AMessageRefusedForASpentTokenBudgetLeavesNoEntryNoThreadMessageAndNoNewChat()
    {
        await using var factory = TestSupport.Service();
        using var owner = factory.Client("usr_chanspent");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.CreateDefaultClient().ActAs("usr_chanspent", "key_chanspent", [assistantId], tpm: 60);

        // The offline model's answers spend the budget in a few messages; the first refused one is the one to look at.
        var answered = 0;
        HttpResponseMessage? refused = null;
        while (refused is null && answered < 10)
        {
            var response = await key.PostAsJsonAsync("/api/chats/messages", Message("spent-1", $"What does my handbook say about holidays, part {answered}?"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                answered++;
                response.Dispose();
                continue;
            }
            refused = response;
        }
        using var refusal = refused;
        // A first message on a new channel, longer than the whole budget, is refused however much of it is left.
        using var newChannel = await key.PostAsJsonAsync("/api/chats/messages", Message("spent-2", string.Join(' ', Enumerable.Repeat("holidays", 80))));
        var chats = await (await owner.GetAsync("/api/chats")).JsonAsync();
        var chat = Assert.Single(chats.GetProperty("data").EnumerateArray());
        var detail = await (await owner.GetAsync($"/api/chats/{chat.GetProperty("id").GetString()}")).JsonAsync();
        var thread = await (await owner.GetAsync($"/v1/threads/{chat.GetProperty("thread_id").GetString()}/messages?limit=100")).JsonAsync();

        Assert.True(answered > 0, "no message was answered before the budget was spent");
        Assert.Equal(HttpStatusCode.TooManyRequests, refusal?.StatusCode);
        Assert.NotNull(refusal!.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, newChannel.StatusCode);
        Assert.Equal(answered, detail.GetProperty("entries").GetArrayLength());
        Assert.All(detail.GetProperty("entries").EnumerateArray(), e => Assert.Equal(JsonValueKind.String, e.GetProperty("response").ValueKind));
        Assert.Equal(2 * answered, thread.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ChannelMessagesNeedAnAssistantTheKeyMayUse()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "x", 1, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var owner = factory.Client("usr_chan3");
        var a = await owner.CreateAssistantAsync();
        var b = await owner.CreateAssistantAsync();
        using var twoAssistants = factory.Client("usr_chan3", [a, b]);
        using var onlyA = factory.Client("usr_chan3", [a]);

        using var ambiguous = await twoAssistants.PostAsJsonAsync("/api/chats/messages", Message("c", "hi"));
        using var notAllowed = await onlyA.PostAsJsonAsync("/api/chats/messages", new { channel = new { id = "c", service = "sms" }, message = "hi", assistant_id = b });
        using var noChannel = await onlyA.PostAsJsonAsync("/api/chats/messages", new { message = "hi" });

        Assert.Equal(HttpStatusCode.BadRequest, ambiguous.StatusCode);
        Assert.Equal("application/problem+json", ambiguous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, notAllowed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noChannel.StatusCode);
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task AskAnswersPlainTextFromTheAssistantsDocuments()
    {
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("menu.md", "The canteen serves lunch from noon to two. Breakfast is not served."));
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var owner = factory.Client("usr_ask");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_ask", [assistantId]);

        using var covered = await key.PostAsync("/api/ask", TestSupport.Text("When does the canteen serve lunch?"));
        using var notCovered = await key.PostAsync("/api/ask", TestSupport.Text("Who won the football match?"));
        using var empty = await key.PostAsync("/api/ask", TestSupport.Text("   "));

        Assert.Equal("text/plain", covered.Content.Headers.ContentType?.MediaType);
        Assert.Contains("lunch from noon to two", await covered.Content.ReadAsStringAsync());
        Assert.Contains("(menu.md)", await covered.Content.ReadAsStringAsync());
        Assert.Equal(Providers.OfflineResponder.NotCovered + "\n", await notCovered.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }
}
