using System.Net.Http.Json;
using System.Text.Json;

namespace IntentCacheService.Tests;

/// <summary>Two instances on one Redis and one database behave as one cache.</summary>
public sealed class MultiInstanceTests
{
    private const string Question = "How many vacation days do I get?";

    [Fact]
    public async Task AnAnswerStoredThroughOneInstanceIsServedByAnotherAndAFlushOnEitherDropsItForBoth()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, owner, first) = await host.HrAssistantAsync();
        await using var second = host.Factory.WithWebHostBuilder(_ => { });
        using var secondClient = second.CreateClient().ActAs(owner);

        await first.StoreAsync(assistant, Question, "25 days.");
        var served = await secondClient.LookupAsync(assistant, Question);
        using var flush = await secondClient.DeleteAsync($"/api/intent-cache/{assistant}");
        var afterFlush = await first.LookupAsync(assistant, Question);

        Assert.Equal("25 days.", served.Answer);
        Assert.False(afterFlush.Hit);
    }

    [Fact]
    public async Task AFlushOrFeedbackThroughOneInstanceReachesTheOthersNearCacheLongBeforeItWouldExpire()
    {
        // Ten seconds of near cache: only the pub/sub message can explain a miss within three.
        await using var host = await IntentCacheHost.StartAsync(configure: f => f.With("IntentCache:NearCacheDuration", "00:00:10"));
        var (assistant, owner, first) = await host.HrAssistantAsync();
        await using var second = host.Factory.WithWebHostBuilder(_ => { });
        using var secondClient = second.CreateClient().ActAs(owner);
        await first.StoreAsync(assistant, Question, "25 days.");
        Assert.True((await first.LookupAsync(assistant, Question)).Hit); // now held in the first instance's near cache

        using var flush = await secondClient.DeleteAsync($"/api/intent-cache/{assistant}");
        await Wait.UntilAsync(async () => !(await first.LookupAsync(assistant, Question)).Hit, TimeSpan.FromSeconds(3), "the flush to reach the first instance");

        await first.StoreAsync(assistant, Question, "Wrong: 99 days.");
        var served = await first.LookupAsync(assistant, Question);
        using var feedback = await secondClient.PostAsJsonAsync("/api/intent-cache/feedback", new { entry_id = served.EntryId });
        var body = await feedback.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("evicted").GetBoolean());
        await Wait.UntilAsync(async () => !(await first.LookupAsync(assistant, Question)).Hit, TimeSpan.FromSeconds(3), "the eviction to reach the first instance");
    }

    [Fact]
    public async Task NewIntentsPutThroughOneInstanceReachTheOtherWithoutWaitingForItsCacheToExpire()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, owner, first) = await host.HrAssistantAsync();
        await using var second = host.Factory.WithWebHostBuilder(_ => { });
        using var secondClient = second.CreateClient().ActAs(owner);
        Assert.Equal("vacation_policy", (await secondClient.LookupAsync(assistant, Question)).Intent);

        using var put = await first.PutAsJsonAsync($"/api/intents/{assistant}", new
        {
            intents = new[] { new { name = "time_off", examples = new[] { "How many vacation days do I get?", "annual leave" } } },
        });
        put.EnsureSuccessStatusCode();

        await Wait.UntilAsync(
            async () => (await secondClient.LookupAsync(assistant, Question)).Intent == "time_off",
            TimeSpan.FromSeconds(10), "the second instance to use the new intents");
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheCacheAndIntentRoutes()
    {
        await using var host = await IntentCacheHost.StartAsync();
        using var client = host.Factory.CreateClient();

        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/intent-cache/lookup", "/api/intent-cache/store", "/api/intent-cache/stats", "/api/intent-cache/feedback", "/api/intent-cache/{assistant_id}", "/api/intents/{assistant_id}", "/api/intents/{assistant_id}/classify" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
    }
}
