using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using IntentCacheService.Services.Cache;
using ServiceDefaults.Caching;

namespace IntentCacheService.Tests;

/// <summary>Hits, misses, expiry, invalidation, feedback and stats against a real redis-server.</summary>
public sealed class AnswerCacheTests
{
    private const string VacationAnswer = "Full-time staff get 25 vacation days a year.";

    [Fact]
    public async Task AStoredAnswerIsServedToAParaphraseOfTheSameIntent()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();

        var before = await client.LookupAsync(assistant, "How many vacation days do I get?");
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);
        var after = await client.LookupAsync(assistant, "how many days of holiday per year");

        Assert.False(before.Hit);
        Assert.Equal("no_entry", before.Reason);
        Assert.True(after.Hit);
        Assert.Equal(VacationAnswer, after.Answer);
        Assert.Equal("vacation_policy", after.Intent);
        Assert.StartsWith("ice_", after.EntryId);
        Assert.InRange(after.Confidence, IntentCacheOptions.DefaultServeThreshold, 1);
    }

    [Fact]
    public async Task AQuestionRecognisedButBelowTheServeThresholdIsNeitherServedNorStored()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);

        // One bare word: the classifier names the intent, the cache is not sure enough to answer for it.
        var vague = await client.LookupAsync(assistant, "vacation");
        await client.StoreAsync(assistant, "vacation", "An answer written under a vague question.");
        var clear = await client.LookupAsync(assistant, "How many vacation days do I get?");

        Assert.False(vague.Hit);
        Assert.Equal("low_confidence", vague.Reason);
        Assert.Equal("vacation_policy", vague.Intent);
        Assert.InRange(vague.Confidence, IntentCacheOptions.DefaultThreshold, IntentCacheOptions.DefaultServeThreshold - 0.0001);
        Assert.Equal(VacationAnswer, clear.Answer);
    }

    [Fact]
    public async Task AnUtteranceOfAnotherIntentOrOutOfScopeMissesEvenWhenAnswersAreStored()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);

        var otherIntent = await client.LookupAsync(assistant, "How do I call in sick?");
        var outOfScope = await client.LookupAsync(assistant, "What's the weather like today?");

        Assert.False(otherIntent.Hit);
        Assert.Equal("sick_leave", otherIntent.Intent);
        Assert.False(outOfScope.Hit);
        Assert.Equal("out_of_scope", outOfScope.Reason);
        Assert.Null(outOfScope.Intent);
    }

    [Fact]
    public async Task AnEntryExpiresAfterItsTimeToLive()
    {
        await using var host = await IntentCacheHost.StartAsync(configure: f => f.With("IntentCache:EntryTimeToLive", "00:00:01"));
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);

        var fresh = await client.LookupAsync(assistant, "How many vacation days do I get?");
        await Task.Delay(TimeSpan.FromMilliseconds(1600));
        var expired = await client.LookupAsync(assistant, "How many vacation days do I get?");

        Assert.True(fresh.Hit);
        Assert.False(expired.Hit);
        Assert.Equal("no_entry", expired.Reason);
    }

    [Fact]
    public async Task ANewKnowledgeVersionMissesAndKnowledgeChangedDropsTheOldVersionsEntries()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer, knowledgeVersion: "v1");

        var newVersion = await client.LookupAsync(assistant, "How many vacation days do I get?", knowledgeVersion: "v2");
        Assert.False(newVersion.Hit);
        Assert.True((await client.LookupAsync(assistant, "How many vacation days do I get?", knowledgeVersion: "v1")).Hit);

        // document-service's event, published on the real Redis by a separate connection.
        var bus = new RedisMessageBus(new RedisConnection((await SharedServers.RedisAsync()).ConnectionString));
        await PublishUntilAsync(bus, "knowledge-changed", JsonSerializer.Serialize(new { assistant_id = assistant, version = "v2" }),
            async () => !(await client.LookupAsync(assistant, "How many vacation days do I get?", knowledgeVersion: "v1")).Hit);
    }

    [Fact]
    public async Task AssistantChangedDropsTheAssistantsEntries()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);
        Assert.True((await client.LookupAsync(assistant, "How many vacation days do I get?")).Hit);

        var bus = new RedisMessageBus(new RedisConnection((await SharedServers.RedisAsync()).ConnectionString));
        await PublishUntilAsync(bus, "assistant-changed", JsonSerializer.Serialize(new { assistant_id = assistant }),
            async () => !(await client.LookupAsync(assistant, "How many vacation days do I get?")).Hit);
    }

    [Fact]
    public async Task DeleteFlushesTheAssistantsEntriesAndStoringAgainWorks()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);

        using var flush = await client.DeleteAsync($"/api/intent-cache/{assistant}");
        var afterFlush = await client.LookupAsync(assistant, "How many vacation days do I get?");
        await client.StoreAsync(assistant, "How many vacation days do I get?", "Now 27 days.");
        var afterStore = await client.LookupAsync(assistant, "How many vacation days do I get?");

        Assert.Equal(HttpStatusCode.NoContent, flush.StatusCode);
        Assert.False(afterFlush.Hit);
        Assert.Equal("Now 27 days.", afterStore.Answer);
    }

    [Fact]
    public async Task FeedbackEvictsTheServedEntryAndCountsAFalseHitInTheStats()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);
        var served = await client.LookupAsync(assistant, "How many vacation days do I get?");

        using var feedback = await client.PostAsJsonAsync("/api/intent-cache/feedback", new { entry_id = served.EntryId, reason = "wrong" });
        var body = await feedback.Content.ReadFromJsonAsync<JsonElement>();
        var after = await client.LookupAsync(assistant, "How many vacation days do I get?");
        var stats = await client.GetFromJsonAsync<JsonElement>($"/api/intent-cache/stats?assistant_id={assistant}");

        Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);
        Assert.True(body.GetProperty("evicted").GetBoolean());
        Assert.False(after.Hit);
        var row = stats.GetProperty("data")[0];
        Assert.Equal(1, row.GetProperty("false_hits_reported").GetInt64());
        Assert.Equal(2, row.GetProperty("lookups").GetInt64());
        Assert.Equal(1, row.GetProperty("hits").GetInt64());
        Assert.Equal(1.0, row.GetProperty("false_hit_rate").GetDouble());
        Assert.Equal(1.0, stats.GetProperty("totals").GetProperty("false_hit_rate").GetDouble());
    }

    [Fact]
    public async Task HitsChatServiceAnsweredFromItsOwnCopyCountAsLookupsThatHitAndOnlyTheOwnersSensibleCountsAreTaken()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.LookupAsync(assistant, "How many vacation days do I get?");

        using var reported = await client.PostAsJsonAsync("/api/intent-cache/hits", new { assistant_id = assistant, hits = 5 });
        using var negative = await client.PostAsJsonAsync("/api/intent-cache/hits", new { assistant_id = assistant, hits = -3 });
        using var nameless = await client.PostAsJsonAsync("/api/intent-cache/hits", new { hits = 1 });
        using var stranger = host.ClientFor("usr_stranger");
        using var foreign = await stranger.PostAsJsonAsync("/api/intent-cache/hits", new { assistant_id = assistant, hits = 7 });
        var stats = await client.GetFromJsonAsync<JsonElement>($"/api/intent-cache/stats?assistant_id={assistant}");

        Assert.Equal(HttpStatusCode.NoContent, reported.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        Assert.True(foreign.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"got {foreign.StatusCode}");
        var row = stats.GetProperty("data")[0];
        Assert.Equal(6, row.GetProperty("lookups").GetInt64());
        Assert.Equal(5, row.GetProperty("hits").GetInt64());
        Assert.Equal(1, row.GetProperty("misses").GetInt64());
    }

    [Fact]
    public async Task FeedbackWithAnIdThisServiceNeverIssuedIsABadRequest()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (_, _, client) = await host.HrAssistantAsync();

        using var response = await client.PostAsJsonAsync("/api/intent-cache/feedback", new { entry_id = "ice_!!notbase64" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task StatsCountLookupsHitsMissesStoresAndHitRatePerAssistant()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, owner, client) = await host.HrAssistantAsync();
        await client.LookupAsync(assistant, "How many vacation days do I get?");
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);
        await client.LookupAsync(assistant, "How many vacation days do I get?");
        await client.LookupAsync(assistant, "what's the yearly holiday entitlement");
        await client.LookupAsync(assistant, "Tell me a joke");

        var stats = await client.GetFromJsonAsync<JsonElement>("/api/intent-cache/stats");

        var row = Assert.Single(stats.GetProperty("data").EnumerateArray());
        Assert.Equal(assistant, row.GetProperty("assistant_id").GetString());
        Assert.Equal(4, row.GetProperty("lookups").GetInt64());
        Assert.Equal(2, row.GetProperty("hits").GetInt64());
        Assert.Equal(2, row.GetProperty("misses").GetInt64());
        Assert.Equal(1, row.GetProperty("stores").GetInt64());
        Assert.Equal(0.5, row.GetProperty("hit_rate").GetDouble());
        Assert.Equal(4, stats.GetProperty("totals").GetProperty("lookups").GetInt64());
    }

    [Fact]
    public async Task AnIntentMarkedNotCacheableIsNeverStoredAndAFixedAnswerIsServedWithoutAStore()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync(new
        {
            intents = new object[]
            {
                new { name = "payday", examples = new[] { "When do we get paid?", "What day is payday?" }, cacheable = false },
                new { name = "office_hours", examples = new[] { "When does the office open?", "What are the office opening hours?" }, answer = "8:00 to 18:00, Monday to Friday.", cacheable = true },
            },
        });

        await client.StoreAsync(assistant, "When do we get paid?", "On the 25th.");
        var payday = await client.LookupAsync(assistant, "When do we get paid?");
        var hours = await client.LookupAsync(assistant, "When does the office open?");

        Assert.False(payday.Hit);
        Assert.Equal("not_cacheable", payday.Reason);
        Assert.True(hours.Hit);
        Assert.Equal("fixed_answer", hours.Reason);
        Assert.Equal("8:00 to 18:00, Monday to Friday.", hours.Answer);
    }

    [Fact]
    public async Task TheEmbeddedDefaultWithoutRedisCachesInProcessMemory()
    {
        await using var host = await IntentCacheHost.StartAsync(redis: false);
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", VacationAnswer);

        var hit = await client.LookupAsync(assistant, "How many vacation days do I get?");
        await host.Factory.Services.GetRequiredService<IMessageBus>()
            .PublishAsync("knowledge-changed", JsonSerializer.Serialize(new { assistant_id = assistant, version = "v2" }));
        await Task.Delay(100);
        var dropped = await client.LookupAsync(assistant, "How many vacation days do I get?");

        Assert.True(hit.Hit);
        Assert.False(dropped.Hit);
    }

    [Fact]
    public async Task AVectorStoresKnowledgeChangeLeavesNoGenerationKeyWhileAnAssistantsMovesIt()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var cache = host.Factory.Services.GetRequiredService<AnswerCache>();
        var redis = host.Factory.Services.GetRequiredService<RedisConnection>().Database;
        var store = "vs_" + Guid.NewGuid().ToString("N")[..24];
        var assistant = "asst_" + Guid.NewGuid().ToString("N")[..24];

        // What the listener does with a "knowledge-changed" message of each.
        await cache.InvalidateOnEventAsync(store);
        await cache.InvalidateOnEventAsync(assistant);

        Assert.False(await redis.KeyExistsAsync(CacheKeys.Generation(store)));
        Assert.Equal(1, (long)await redis.StringGetAsync(CacheKeys.Generation(assistant)));
    }

    // The service subscribes in the background; publishing until the effect shows avoids racing its subscription.
    private static async Task PublishUntilAsync(IMessageBus bus, string channel, string message, Func<Task<bool>> effect) =>
        await Wait.UntilAsync(async () =>
        {
            await bus.PublishAsync(channel, message);
            await Task.Delay(50);
            return await effect();
        }, TimeSpan.FromSeconds(10), $"the effect of {channel}");
}
