using System.Net.Http.Json;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>Exact repeats answered from chat-service's own copy of what the intent cache served.</summary>
public sealed class CachedAnswerTests
{
    [Fact]
    public async Task AnExactRepeatIsAnsweredWithoutAskingTheCacheAgainAndItsHitIsStillCounted()
    {
        await using var cache = await AlwaysHitsAsync();
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1", ("hours.txt", "We open at nine."));
        await using var factory = TestSupport.Service().WithIntentCache(cache).WithDocuments(documents)
            .With("Chat:CachedAnswerLifetime", "00:01:00").With("Chat:CachedAnswerReportInterval", "00:00:00.050");
        using var client = factory.Client("usr_repeat");
        var assistantId = await client.CreateAssistantAsync();

        var answers = new List<string?>();
        foreach (var question in new[] { "When do you open?", "when do you open", "  When   do you OPEN?! " })
        {
            using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = assistantId, messages = new[] { new { role = "user", content = question } },
            });
            Assert.Equal("hit", response.Headers.GetValues("X-Cache").Single());
            answers.Add((await response.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }
        // Reports are sums since the last one, so the two repeats may arrive in one report or two.
        var reports = new List<JsonElement>();
        await Wait.UntilAsync(() =>
        {
            reports = [.. cache.Requests.Where(r => r.PathAndQuery == "/api/intent-cache/hits").Select(r => JsonDocument.Parse(r.Body).RootElement)];
            return Task.FromResult(reports.Sum(r => r.GetProperty("hits").GetInt64()) >= 2);
        }, TimeSpan.FromSeconds(10), "the repeats' hits to be reported");

        Assert.All(answers, a => Assert.Equal("We open at nine.", a));
        Assert.Single(cache.Requests, r => r.PathAndQuery == "/api/intent-cache/lookup");
        Assert.All(reports, r => Assert.Equal(assistantId, r.GetProperty("assistant_id").GetString()));
        Assert.Equal(2, reports.Sum(r => r.GetProperty("hits").GetInt64()));
    }

    [Fact]
    public async Task AQuestionWithEarlierTurnsOrAChangedAssistantAsksTheCacheAgain()
    {
        await using var cache = await AlwaysHitsAsync();
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1", ("hours.txt", "We open at nine."));
        await using var factory = TestSupport.Service().WithIntentCache(cache).WithDocuments(documents).With("Chat:CachedAnswerLifetime", "00:01:00");
        using var client = factory.Client("usr_changed");
        var assistantId = await client.CreateAssistantAsync();
        async Task AskAsync(params string[] userTurns)
        {
            using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = assistantId, messages = userTurns.Select(t => new { role = "user", content = t }).ToArray(),
            });
            Assert.Equal("hit", response.Headers.GetValues("X-Cache").Single());
        }

        await AskAsync("When do you open?");
        await AskAsync("Hello", "When do you open?");
        using (var changed = await client.PostAsJsonAsync($"/v1/assistants/{assistantId}", new { instructions = "Be brief." }))
        {
            changed.EnsureSuccessStatusCode();
        }
        await AskAsync("When do you open?");

        Assert.Equal(3, cache.Requests.Count(r => r.PathAndQuery == "/api/intent-cache/lookup"));
    }

    [Fact]
    public async Task EveryAnswerTheCacheServedNamesItsEntryForFeedbackRepeatsIncluded()
    {
        await using var cache = await AlwaysHitsAsync();
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1", ("hours.txt", "We open at nine."));
        await using var factory = TestSupport.Service().WithIntentCache(cache).WithDocuments(documents).With("Chat:CachedAnswerLifetime", "00:01:00");
        using var owner = factory.Client("usr_entry");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_entry", [assistantId]);
        const string question = "When do you open?";
        Task<HttpResponseMessage> CompleteAsync(bool stream) => key.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId, stream, messages = new[] { new { role = "user", content = question } },
        });

        using var looked = await CompleteAsync(stream: false);
        // The same question again is answered from chat-service's own copy of the hit.
        using var repeated = await CompleteAsync(stream: false);
        using var streamed = await CompleteAsync(stream: true);
        using var response = await key.PostAsJsonAsync("/v1/responses", new { model = assistantId, input = question });
        using var channel = await key.PostAsJsonAsync("/api/chats/messages", new { channel = new { id = "entry-1", service = "sms" }, message = question });
        using var asked = await key.PostAsync("/api/ask", TestSupport.Text(question));

        Assert.Single(cache.Requests, r => r.PathAndQuery == "/api/intent-cache/lookup");
        Assert.All(new[] { looked, repeated, streamed, response, channel, asked }, answer =>
        {
            Assert.True(answer.IsSuccessStatusCode, $"{answer.RequestMessage?.RequestUri}: {(int)answer.StatusCode}");
            Assert.Equal("hit", answer.Headers.GetValues("X-Cache").Single());
            Assert.Equal("ice_opening_hours", answer.Headers.GetValues("X-Cache-Entry").Single());
        });
    }

    /// <summary>An intent cache that serves the same answer for every lookup and takes hit reports.</summary>
    internal static Task<ScriptedHttpServer> AlwaysHitsAsync() => ScriptedHttpServer.StartAsync(context =>
        context.Request.Path == "/api/intent-cache/hits"
            ? Task.Run(() => context.Response.StatusCode = 204)
            : context.Response.WriteAsJsonAsync(new { hit = true, answer = "We open at nine.", intent = "opening_hours", confidence = 0.97, entry_id = "ice_opening_hours" }));
}
