using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Services;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Caching;

namespace ChatService.Tests;

/// <summary>The intent-cache hook, answering without absent siblings, and a client leaving mid-stream.</summary>
public sealed class SiblingsAndStreamingTests
{
    [Fact]
    public async Task ACachedAnswerIsServedWithoutTheModelAndMarkedAsAHit()
    {
        await using var cache = await ScriptedHttpServer.StartAsync(context =>
            context.Response.WriteAsJsonAsync(new { hit = true, answer = "We open at nine.", intent = "opening_hours", confidence = 0.97, entry_id = "e1" }));
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 1, "model"));
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1", ("hours.txt", "We open at nine."));
        await using var factory = TestSupport.Service().WithModel(model).WithIntentCache(cache).WithDocuments(documents);
        using var client = factory.Client("usr_hit");
        var assistantId = await client.CreateAssistantAsync();

        using var plain = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId, messages = new[] { new { role = "user", content = "When do you open?" } },
        });
        using var streamed = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId, stream = true, messages = new[] { new { role = "user", content = "When do you open?" } },
        });
        var json = await plain.JsonAsync();
        var body = await streamed.Content.ReadAsStringAsync();

        Assert.Equal("hit", plain.Headers.GetValues("X-Cache").Single());
        Assert.Equal("hit", streamed.Headers.GetValues("X-Cache").Single());
        Assert.Equal("We open at nine.", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Contains("We open at nine.", body);
        Assert.Equal("0,0", plain.Headers.GetValues("X-Usage-Tokens").Single());
        Assert.Empty(model.Requests);
        // A hit needs the knowledge version for its key, but no retrieval.
        Assert.DoesNotContain(documents.Requests, r => r.PathAndQuery == "/api/documents/search");
        Assert.Contains(documents.Requests, r => r.PathAndQuery.EndsWith("/knowledge", StringComparison.Ordinal));
        var lookup = JsonNode.Parse(cache.Requests[0].Body)!;
        Assert.Equal("/api/intent-cache/lookup", cache.Requests[0].PathAndQuery);
        Assert.Equal(assistantId, lookup["assistant_id"]!.GetValue<string>());
        Assert.Equal("When do you open?", lookup["text"]!.GetValue<string>());
        Assert.True(cache.Requests[0].Headers.ContainsKey("X-Caller-Identity"));
    }

    [Fact]
    public async Task AnAssistantsKnowledgeIsAskedOnceWhileUnchangedAndAgainOnceAChangeIsAnnounced()
    {
        var version = "kv-1";
        await using var documents = await TestSupport.DocumentsAsync(() => version);
        await using var cache = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/lookup", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new { hit = true, answer = "Cached.", intent = "x", confidence = 0.9, entry_id = "e1" })
            : Task.CompletedTask);
        // A lifetime no slow machine runs out of mid-test: only the announcement may end the snapshot here.
        await using var factory = TestSupport.Service().WithIntentCache(cache).WithDocuments(documents).With("Chat:KnowledgeLifetime", "00:10:00");
        using var client = factory.Client("usr_snapshots");
        var assistantId = await client.CreateAssistantAsync();
        async Task<string> AskAsync()
        {
            using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = assistantId, messages = new[] { new { role = "user", content = "When do you open?" } },
            });
            await response.JsonAsync();
            return JsonNode.Parse(cache.Requests[^1].Body)!["knowledge_version"]!.GetValue<string>();
        }

        var first = await AskAsync();
        var second = await AskAsync();
        version = "kv-2";
        var unannounced = await AskAsync();
        await factory.Services.GetRequiredService<IMessageBus>().PublishAsync(
            KnowledgeChangeListener.Channel, JsonSerializer.Serialize(new { assistant_id = assistantId, version }));
        var announced = await AskAsync();

        Assert.Equal(["kv-1", "kv-1", "kv-1", "kv-2"], new[] { first, second, unannounced, announced });
        Assert.Equal(2, documents.Requests.Count(r => r.PathAndQuery.EndsWith("/knowledge", StringComparison.Ordinal)));
    }

    [Fact]
    public void ASnapshotAskedForBeforeAnAnnouncedChangeIsNotKept()
    {
        var snapshots = new KnowledgeSnapshots(TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new ChatServiceOptions()));
        var asked = snapshots.Generation;
        snapshots.Forget("asst_race");   // the announcement arrives while document-service is answering
        snapshots.Remember("asst_race", new KnowledgeSnapshot("kv-old", []), asked);
        snapshots.Remember("asst_other", new KnowledgeSnapshot("kv-1", []), snapshots.Generation);

        Assert.False(snapshots.TryGet("asst_race", out _));
        Assert.True(snapshots.TryGet("asst_other", out var kept));
        Assert.Equal("kv-1", kept.Version);
    }

    [Fact]
    public async Task AMissIsAnsweredByTheModelAndAFirstTurnsAnswerStoredWithTheKnowledgeVersion()
    {
        await using var cache = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/lookup", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new { hit = false, answer = (string?)null, intent = (string?)null, confidence = 0.1, entry_id = (string?)null })
            : Task.CompletedTask);
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-7");
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 3, "Fresh", " answer"));
        await using var factory = TestSupport.Service().WithModel(model).WithIntentCache(cache).WithDocuments(documents);
        using var client = factory.Client("usr_miss");
        var assistantId = await client.CreateAssistantAsync();

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId,
            stream = true,
            messages = new[]
            {
                new { role = "user", content = "earlier question" },
                new { role = "assistant", content = "earlier answer" },
                new { role = "user", content = "new question" },
            },
        });
        await response.Content.ReadAsStringAsync();
        using var first = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId, stream = true, messages = new[] { new { role = "user", content = "first question" } },
        });
        await first.Content.ReadAsStringAsync();

        Assert.Equal("miss", response.Headers.GetValues("X-Cache").Single());
        // The lookup reads the earlier turns (a follow-up is never served); the answer made with them is not stored.
        var lookup = JsonNode.Parse(cache.Requests.First(r => r.PathAndQuery == "/api/intent-cache/lookup").Body)!;
        Assert.Equal(["earlier question"], lookup["context"]!.AsArray().Select(c => c!.GetValue<string>()));
        var store = cache.Requests.Single(r => r.PathAndQuery == "/api/intent-cache/store");
        var stored = JsonNode.Parse(store.Body)!;
        Assert.Equal("first question", stored["text"]!.GetValue<string>());
        Assert.Equal("Fresh answer", stored["answer"]!.GetValue<string>());
        Assert.Equal("kv-7", stored["knowledge_version"]!.GetValue<string>());
        Assert.Empty(stored["context"]!.AsArray());
    }

    [Fact]
    public async Task SiblingsThatAreDownAreAnsweredWithout()
    {
        var closedPort = FreePort.Next();
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "still here", 2, 2));
        await using var factory = TestSupport.Service().WithModel(model)
            .With("services:intent-cache-service:http:0", $"http://127.0.0.1:{closedPort}")
            .With("services:document-service:http:0", $"http://127.0.0.1:{closedPort}");
        using var client = factory.Client("usr_down");
        var assistantId = await client.CreateAssistantAsync();

        for (var i = 0; i < 2; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = assistantId, messages = new[] { new { role = "user", content = "anyone there?" } },
            });
            var json = await response.JsonAsync();
            Assert.Equal("miss", response.Headers.GetValues("X-Cache").Single());
            Assert.Equal("still here", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task AClientThatDisconnectsMidStreamCancelsTheCallUpstream()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await TestSupport.HangingModelAsync("first", upstreamAborted);
        await using var factory = TestSupport.Service().WithModel(model);
        var address = factory.StartOnKestrel();
        // No draining on dispose: the connection closes at once, as when a browser tab or a CLI goes away.
        using var http = new HttpClient(new CallerHandler("usr_gone", null, null) { InnerHandler = new SocketsHttpHandler { MaxResponseDrainSize = 0 } })
        {
            BaseAddress = address,
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "gpt-4o-mini", stream = true, messages = new[] { new { role = "user", content = "long story" } } }),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        using (var reader = new StreamReader(stream))
        {
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null && !line.Contains("\"first\"", StringComparison.Ordinal))
            {
            }
            Assert.NotNull(line);
        }
        response.Dispose();

        await upstreamAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(model.Requests);
    }
}
