using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace IntentCacheService.Tests;

/// <summary>An answer cached for one owner or one assistant is never served to another.</summary>
public sealed class IsolationTests
{
    private const string Question = "How many vacation days do I get?";

    [Fact]
    public async Task AnotherOwnerAllowedOnTheSameAssistantNeverSeesTheFirstOwnersEntry()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, owner) = await host.HrAssistantAsync();
        var other = IntentCacheHost.NewUser();
        host.Grant(assistant, other);
        using var otherClient = host.ClientFor(other);
        await owner.StoreAsync(assistant, Question, "Owner's answer");

        var othersLookup = await otherClient.LookupAsync(assistant, Question);
        await otherClient.StoreAsync(assistant, Question, "Other's answer");
        var ownersLookup = await owner.LookupAsync(assistant, Question);
        var othersSecond = await otherClient.LookupAsync(assistant, Question);

        Assert.False(othersLookup.Hit);
        Assert.Equal("Owner's answer", ownersLookup.Answer);
        Assert.Equal("Other's answer", othersSecond.Answer);
    }

    [Fact]
    public async Task AnotherAssistantWithTheSameIntentsAndOwnerNeverSeesTheEntry()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (first, owner, client) = await host.HrAssistantAsync();
        var second = IntentCacheHost.NewAssistant();
        host.Grant(second, owner);
        using var put = await client.PutAsJsonAsync($"/api/intents/{second}", LabelledSet.Load().PutBody());
        put.EnsureSuccessStatusCode();
        await client.StoreAsync(first, Question, "First assistant's answer");

        var lookup = await client.LookupAsync(second, Question);

        Assert.False(lookup.Hit);
        Assert.Equal("vacation_policy", lookup.Intent);
    }

    [Fact]
    public async Task ACallerChatServiceDoesNotVouchForGetsNotFoundAndNoAnswer()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, owner) = await host.HrAssistantAsync();
        await owner.StoreAsync(assistant, Question, "Owner's answer");
        using var stranger = host.ClientFor(IntentCacheHost.NewUser());

        using var lookup = await stranger.PostAsJsonAsync("/api/intent-cache/lookup", new { assistant_id = assistant, text = Question, knowledge_version = "v1" });
        using var intents = await stranger.GetAsync($"/api/intents/{assistant}");
        using var flush = await stranger.DeleteAsync($"/api/intent-cache/{assistant}");

        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        Assert.DoesNotContain("Owner's answer", await lookup.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, intents.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, flush.StatusCode);
        Assert.True((await owner.LookupAsync(assistant, Question)).Hit);
    }

    [Fact]
    public async Task AnApiKeyScopedToOtherAssistantsIsRefusedWithoutAskingChatService()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, owner, _) = await host.HrAssistantAsync();
        using var scoped = host.ClientFor(owner, ["asst_other"]);
        var asked = host.ChatService.Requests.Count;

        using var lookup = await scoped.PostAsJsonAsync("/api/intent-cache/lookup", new { assistant_id = assistant, text = Question });

        Assert.Equal(HttpStatusCode.Forbidden, lookup.StatusCode);
        Assert.Equal("assistant_not_allowed", (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(asked, host.ChatService.Requests.Count);
    }

    [Fact]
    public async Task ARequestWithoutAVouchedCallerIsUnauthorized()
    {
        await using var host = await IntentCacheHost.StartAsync();
        using var anonymous = host.Factory.CreateClient();

        using var lookup = await anonymous.PostAsJsonAsync("/api/intent-cache/lookup", new { assistant_id = "asst_x", text = Question });
        using var stats = await anonymous.GetAsync("/api/intent-cache/stats");

        Assert.Equal(HttpStatusCode.Unauthorized, lookup.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
    }

    [Fact]
    public async Task OwnershipIsCheckedWithChatServiceOnceAndThenRemembered()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        var asked = host.ChatService.Requests.Count;

        for (var i = 0; i < 5; i++)
        {
            await client.LookupAsync(assistant, Question);
        }

        Assert.Equal(asked, host.ChatService.Requests.Count);
        Assert.All(host.ChatService.Requests, r => Assert.Equal($"/v1/assistants/{assistant}", r.PathAndQuery));
    }
}
