using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace IntentCacheService.Tests;

/// <summary>DELETE /api/intents/{assistant_id}: the owner removes an assistant's intents and what they served.</summary>
public sealed class IntentSetDeletionTests
{
    private const string Vacation = "How many vacation days do I get?";
    private const string OfficeHours = "When does the office open?";

    private static readonly object Intents = new
    {
        intents = new object[]
        {
            new { name = "vacation", examples = new[] { Vacation, "How much annual leave do I have?" } },
            new { name = "office_hours", examples = new[] { OfficeHours, "What are the office opening hours?" }, answer = "8:00 to 18:00." },
        },
    };

    [Fact]
    public async Task DeletedIntentsClassifyNothingServeNoAnswerAndAreNotFoundAsIfNeverDefined()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, owner, client) = await host.HrAssistantAsync(Intents);
        var never = IntentCacheHost.NewAssistant();
        host.Grant(never, owner);
        await client.StoreAsync(assistant, Vacation, "25 days.");
        Assert.True((await client.LookupAsync(assistant, Vacation)).Hit);
        Assert.True((await client.LookupAsync(assistant, OfficeHours)).Hit);

        using var deleted = await client.DeleteAsync($"/api/intents/{assistant}");
        using var get = await client.GetAsync($"/api/intents/{assistant}");
        using var getNever = await client.GetAsync($"/api/intents/{never}");
        using var classify = await client.PostAsJsonAsync($"/api/intents/{assistant}/classify", new { text = Vacation });
        var cached = await client.LookupAsync(assistant, Vacation);
        var fixedAnswer = await client.LookupAsync(assistant, OfficeHours);
        using var again = await client.DeleteAsync($"/api/intents/{assistant}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(await ProblemAsync(getNever, never), await ProblemAsync(get, assistant));
        Assert.Equal("no_intents", (await ProblemAsync(get, assistant)).Item5);
        Assert.Equal(HttpStatusCode.NotFound, classify.StatusCode);
        Assert.Equal((false, "no_intents"), (cached.Hit, cached.Reason));
        Assert.Equal((false, "no_intents"), (fixedAnswer.Hit, fixedAnswer.Reason));
        Assert.Equal(await ProblemAsync(getNever, never), await ProblemAsync(again, assistant));
    }

    [Fact]
    public async Task TheSameIntentsDefinedAgainStartAtRevisionOneWithoutTheAnswersCachedBefore()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync(Intents);
        await client.StoreAsync(assistant, Vacation, "25 days.");

        using var deleted = await client.DeleteAsync($"/api/intents/{assistant}");
        using var put = await client.PutAsJsonAsync($"/api/intents/{assistant}", Intents);
        var lookup = await client.LookupAsync(assistant, Vacation);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(1, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64());
        Assert.Equal((false, "vacation", "no_entry"), (lookup.Hit, lookup.Intent, lookup.Reason));
    }

    [Fact]
    public async Task OnlyTheOwnerMayDeleteTheIntents()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, owner, client) = await host.HrAssistantAsync(Intents);
        using var stranger = host.ClientFor(IntentCacheHost.NewUser());
        using var keyForAnother = host.ClientFor(owner, ["asst_other"]);
        using var keyForThis = host.ClientFor(owner, [assistant]);

        using var byStranger = await stranger.DeleteAsync($"/api/intents/{assistant}");
        using var byKeyForAnother = await keyForAnother.DeleteAsync($"/api/intents/{assistant}");
        var kept = await client.LookupAsync(assistant, OfficeHours);
        using var byKeyForThis = await keyForThis.DeleteAsync($"/api/intents/{assistant}");

        Assert.Equal(HttpStatusCode.NotFound, byStranger.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byKeyForAnother.StatusCode);
        Assert.Equal("fixed_answer", kept.Reason);
        Assert.Equal(HttpStatusCode.NoContent, byKeyForThis.StatusCode);
    }

    [Fact]
    public async Task ADeleteThroughOneInstanceStopsTheOthersFixedAnswersWithoutWaitingForItsCacheToExpire()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, owner, first) = await host.HrAssistantAsync(Intents);
        await using var second = host.Factory.WithWebHostBuilder(_ => { });
        using var secondClient = second.CreateClient().ActAs(owner);
        Assert.Equal("fixed_answer", (await secondClient.LookupAsync(assistant, OfficeHours)).Reason);

        using var deleted = await first.DeleteAsync($"/api/intents/{assistant}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Wait.UntilAsync(
            async () => (await secondClient.LookupAsync(assistant, OfficeHours)).Reason == "no_intents",
            TimeSpan.FromSeconds(10), "the second instance to drop the deleted intents");
    }

    [Fact]
    public async Task ADeleteMakesTheCachedAnswersUnreachableAtOnceEvenOnAnInstanceThatWasNotToldOfIt()
    {
        // A Redis whose user may do everything but PUBLISH: the second instance keeps the deleted set until it expires.
        var (redis, connectionString) = await IntentCacheHost.RedisWithoutAnnouncementsAsync();
        await using var server = redis;
        await using var host = await IntentCacheHost.StartAsync(redis: false, configure: f => f
            .With("ConnectionStrings:cache", connectionString)
            .With("IntentCache:NearCacheDuration", "00:00:00"));
        var (assistant, owner, first) = await host.HrAssistantAsync(Intents);
        await using var second = host.Factory.WithWebHostBuilder(_ => { });
        using var secondClient = second.CreateClient().ActAs(owner);
        await first.StoreAsync(assistant, Vacation, "25 days.");
        Assert.True((await secondClient.LookupAsync(assistant, Vacation)).Hit);

        using var deleted = await first.DeleteAsync($"/api/intents/{assistant}");
        var afterwards = await secondClient.LookupAsync(assistant, Vacation);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal((false, "no_entry"), (afterwards.Hit, afterwards.Reason));
    }

    /// <summary>A 404's status, media type, title and detail, with the assistant's id taken out of the detail.</summary>
    private static async Task<(HttpStatusCode, string?, string?, string?, string?)> ProblemAsync(HttpResponseMessage response, string assistant)
    {
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, problem.GetProperty("title").GetString(),
            problem.GetProperty("detail").GetString()?.Replace(assistant, "{assistant_id}", StringComparison.Ordinal),
            problem.GetProperty("code").GetString());
    }
}
