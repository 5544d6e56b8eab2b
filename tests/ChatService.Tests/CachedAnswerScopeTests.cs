using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>
/// What the answer cache may hold and serve: the assistant's own answer to a question asked on its own. An answer made
/// with earlier turns could carry what they said to everyone who asks the same intent; a request with instructions of
/// its own, or room for fewer tokens than the cached answer, wants an answer the cache does not have.
/// </summary>
public sealed class CachedAnswerScopeTests
{
    private const string CachedAnswer = "We open at nine every weekday and close at six.";

    [Fact]
    public async Task OnlyAnAnswerToAConversationsFirstTurnIsStoredNotOneMadeWithWhatEarlierTurnsSaid()
    {
        await using var cache = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/lookup", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new { hit = false, answer = (string?)null, intent = (string?)null, confidence = 0.1, entry_id = (string?)null })
            : Task.CompletedTask);
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1");
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Bob, account 12-3456 holds 310 euros.", 9, 8));
        await using var factory = TestSupport.Service().WithModel(model).WithIntentCache(cache).WithDocuments(documents);
        using var owner = factory.Client("usr_scope1");
        var assistantId = await owner.CreateAssistantAsync();
        using var channel = factory.Client("usr_scope1", [assistantId]);

        await Send(channel, "Hi, I am Bob, account 12-3456");
        await Send(channel, "what is my account balance");
        using var withHistory = await owner.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId,
            messages = new[]
            {
                new { role = "user", content = "I am Bob" },
                new { role = "assistant", content = "Hello Bob." },
                new { role = "user", content = "show my account balance" },
            },
        });
        withHistory.EnsureSuccessStatusCode();

        var lookups = cache.Requests.Where(r => r.PathAndQuery == "/api/intent-cache/lookup").ToList();
        var stores = cache.Requests.Where(r => r.PathAndQuery == "/api/intent-cache/store").ToList();
        // Every question may still be answered from the cache; only the first turn's answer is written to it.
        Assert.Equal(3, lookups.Count);
        var stored = Assert.Single(stores);
        Assert.Equal("Hi, I am Bob, account 12-3456", JsonNode.Parse(stored.Body)!["text"]!.GetValue<string>());
        Assert.Equal("kv-1", JsonNode.Parse(stored.Body)!["knowledge_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task AQuestionWithInstructionsOfItsOwnOrRoomForFewerTokensIsAnsweredByTheModelAndNotStored()
    {
        await using var cache = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/lookup", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new { hit = true, answer = CachedAnswer, intent = "opening_hours", confidence = 0.97, entry_id = "e1" })
            : Task.CompletedTask);
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1");
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var streamed = (await reader.ReadToEndAsync()).Contains("\"stream\":true", StringComparison.Ordinal);
            await (streamed
                ? TestSupport.WriteCompletionStreamAsync(context, 9, "À neuf heures.")
                : TestSupport.WriteCompletionAsync(context, "À neuf heures.", 9, 3));
        });
        await using var factory = TestSupport.Service().WithModel(model).WithIntentCache(cache).WithDocuments(documents);
        using var client = factory.Client("usr_scope2");
        var assistantId = await client.CreateAssistantAsync();

        using var plain = await Complete(client, assistantId, maxTokens: null);
        using var french = await Complete(client, assistantId, maxTokens: null, system: "Answer only in French.");
        using var response = await client.PostAsJsonAsync("/v1/responses", new
        {
            model = assistantId, input = "When do you open?", instructions = "Answer only in French.",
        });
        var storesAfterOwnInstructions = cache.Requests.Count(r => r.PathAndQuery == "/api/intent-cache/store");
        using var short2 = await Complete(client, assistantId, maxTokens: 2);

        Assert.Equal("hit", plain.Headers.GetValues("X-Cache").Single());
        Assert.Equal(CachedAnswer, (await plain.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("miss", french.Headers.GetValues("X-Cache").Single());
        Assert.Equal("À neuf heures.", (await french.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var answered = await response.JsonAsync();
        Assert.Equal("À neuf heures.", answered.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("miss", response.Headers.GetValues("X-Cache").Single());
        Assert.Equal(0, storesAfterOwnInstructions);
        // The cached answer is longer than two tokens: the model answers within them instead.
        Assert.Equal("miss", short2.Headers.GetValues("X-Cache").Single());
        Assert.Equal(3, model.Requests.Count);
    }

    private static async Task Send(HttpClient channel, string text)
    {
        using var response = await channel.PostAsJsonAsync("/api/chats/messages",
            new { channel = new { id = "+15550001", service = "whatsapp" }, username = "bob", message = text });
        response.EnsureSuccessStatusCode();
    }

    private static Task<HttpResponseMessage> Complete(HttpClient client, string assistantId, int? maxTokens, string? system = null)
    {
        var messages = new List<object>();
        if (system is not null)
        {
            messages.Add(new { role = "system", content = system });
        }
        messages.Add(new { role = "user", content = "When do you open?" });
        return client.PostAsJsonAsync("/v1/chat/completions", new { model = assistantId, max_tokens = maxTokens, messages });
    }
}
