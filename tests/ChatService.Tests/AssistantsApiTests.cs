using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatService.Apis;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Caching;

namespace ChatService.Tests;

public sealed class AssistantsApiTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AssistantsListPagesWithOpenAIsCursorsInBothOrders(string database)
    {
        await using var factory = await TestSupport.ServiceOnAsync(database);
        using var client = factory.Client("usr_page");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await client.CreateAssistantAsync($"assistant {i}"));
        }

        var first = await (await client.GetAsync("/v1/assistants?limit=2&order=asc")).JsonAsync();
        var second = await (await client.GetAsync($"/v1/assistants?limit=2&order=asc&after={first.GetProperty("last_id").GetString()}")).JsonAsync();
        var last = await (await client.GetAsync($"/v1/assistants?limit=2&order=asc&after={second.GetProperty("last_id").GetString()}")).JsonAsync();
        var newest = await (await client.GetAsync("/v1/assistants?limit=3")).JsonAsync();
        var beforeThird = await (await client.GetAsync($"/v1/assistants?limit=10&order=asc&before={ids[2]}")).JsonAsync();

        Assert.Equal("list", first.GetProperty("object").GetString());
        Assert.Equal(ids[..2], Ids(first));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[0], first.GetProperty("first_id").GetString());
        Assert.Equal(ids[2..4], Ids(second));
        Assert.Equal([ids[4]], Ids(last));
        Assert.False(last.GetProperty("has_more").GetBoolean());
        Assert.Equal([ids[4], ids[3], ids[2]], Ids(newest));
        Assert.Equal(ids[..2], Ids(beforeThird));
    }

    [Fact]
    public async Task AnAssistantIsCreatedReadModifiedAndDeletedWithOpenAIsFields()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_crud");
        var bus = factory.Services.GetRequiredService<IMessageBus>();
        var changed = new List<string>();
        await using var subscription = await bus.SubscribeAsync(AssistantsApi.AssistantChangedChannel, m =>
        {
            lock (changed)
            {
                changed.Add(m);
            }
            return Task.CompletedTask;
        });

        var created = await (await client.PostAsJsonAsync("/v1/assistants", new
        {
            model = "gpt-4o-mini", name = "Docs", description = "Answers docs", instructions = "Be kind.", temperature = 0.5, top_p = 0.9,
            metadata = new { team = "docs" },
        })).JsonAsync();
        var id = created.GetProperty("id").GetString()!;
        var modified = await (await client.PostAsJsonAsync($"/v1/assistants/{id}", new { instructions = "Be brief." })).JsonAsync();
        var read = await (await client.GetAsync($"/v1/assistants/{id}")).JsonAsync();
        var deleted = await (await client.DeleteAsync($"/v1/assistants/{id}")).JsonAsync();
        using var afterDelete = await client.GetAsync($"/v1/assistants/{id}");

        Assert.StartsWith("asst_", id);
        Assert.Equal("assistant", created.GetProperty("object").GetString());
        Assert.True(created.GetProperty("created_at").GetInt64() > 1_700_000_000);
        Assert.Equal(0.5, created.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, created.GetProperty("top_p").GetDouble());
        Assert.Equal("docs", created.GetProperty("metadata").GetProperty("team").GetString());
        Assert.Equal(JsonValueKind.Array, created.GetProperty("tools").ValueKind);
        Assert.Equal("Be brief.", modified.GetProperty("instructions").GetString());
        Assert.Equal("Docs", read.GetProperty("name").GetString());
        Assert.Equal("Be brief.", read.GetProperty("instructions").GetString());
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal("assistant.deleted", deleted.GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        await Wait.UntilAsync(() => { lock (changed) { return Task.FromResult(changed.Count == 2); } }, TimeSpan.FromSeconds(5), "two assistant-changed events");
        Assert.All(changed, m => Assert.Equal(id, JsonDocument.Parse(m).RootElement.GetProperty("assistant_id").GetString()));
    }

    [Fact]
    public async Task UserBCannotReadUserAsAssistantOrThreadAndSeesThemAsUnknown()
    {
        await using var factory = TestSupport.Service();
        using var alice = factory.Client("usr_alice");
        using var bob = factory.Client("usr_bob");
        var assistantId = await alice.CreateAssistantAsync();
        var threadId = (await (await alice.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString();

        using var assistant = await bob.GetAsync($"/v1/assistants/{assistantId}");
        using var thread = await bob.GetAsync($"/v1/threads/{threadId}");
        using var messages = await bob.GetAsync($"/v1/threads/{threadId}/messages");
        using var run = await bob.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId });
        using var completion = await bob.PostAsJsonAsync("/v1/chat/completions", new { model = assistantId, messages = new[] { new { role = "user", content = "hi" } } });
        var bobsList = await (await bob.GetAsync("/v1/assistants")).JsonAsync();
        var bobsThreads = await (await bob.GetAsync("/v1/threads")).JsonAsync();

        Assert.Equal(HttpStatusCode.NotFound, assistant.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, thread.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, messages.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, completion.StatusCode);
        Assert.Empty(bobsList.GetProperty("data").EnumerateArray());
        Assert.Empty(bobsThreads.GetProperty("data").EnumerateArray());
        var error = JsonDocument.Parse(await assistant.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal($"No assistant found with id '{assistantId}'.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnApiKeySeesOnlyTheAssistantsItIsScopedTo()
    {
        await using var factory = TestSupport.Service();
        using var owner = factory.Client("usr_keys");
        var allowed = await owner.CreateAssistantAsync();
        var other = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_keys", [allowed]);

        var list = await (await key.GetAsync("/v1/assistants")).JsonAsync();
        using var otherResponse = await key.GetAsync($"/v1/assistants/{other}");
        using var create = await key.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini" });
        using var plainModel = await key.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } });
        var models = await (await key.GetAsync("/v1/models")).JsonAsync();

        Assert.Equal([allowed], Ids(list));
        Assert.Equal(HttpStatusCode.NotFound, otherResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, plainModel.StatusCode);
        Assert.Equal([allowed], Ids(models));
    }

    [Fact]
    public async Task BadInputIsA400InOpenAIsErrorBodyAndNoCallerIsA401()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_bad");
        using var anonymous = factory.CreateClient();

        using var noModel = await client.PostAsJsonAsync("/v1/assistants", new { name = "x" });
        using var badLimit = await client.GetAsync("/v1/assistants?limit=0");
        using var badOrder = await client.GetAsync("/v1/assistants?order=sideways");
        using var badJson = await client.PostAsync("/v1/assistants", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        using var noMessages = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-4o-mini", messages = Array.Empty<object>() });
        using var noCaller = await anonymous.GetAsync("/v1/assistants");

        foreach (var response in new[] { noModel, badLimit, badOrder, badJson, noMessages })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }
        Assert.Equal(HttpStatusCode.Unauthorized, noCaller.StatusCode);
        Assert.Equal("authentication_error", JsonDocument.Parse(await noCaller.Content.ReadAsStringAsync())
            .RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task MalformedMessagesAreA400NeverA500()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_malformed");
        var assistantId = await client.CreateAssistantAsync();
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString();

        using var numberText = await client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":5}]}]}""", System.Text.Encoding.UTF8, "application/json"));
        using var numberType = await client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":7,"text":"hi"}]}]}""", System.Text.Encoding.UTF8, "application/json"));
        using var nullMessage = await client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"gpt-4o-mini","messages":[null]}""", System.Text.Encoding.UTF8, "application/json"));
        using var nullExtra = await client.PostAsync($"/v1/threads/{threadId}/runs", new StringContent(
            $$"""{"assistant_id":"{{assistantId}}","additional_messages":[null]}""", System.Text.Encoding.UTF8, "application/json"));

        foreach (var response in new[] { numberText, numberType, nullMessage, nullExtra })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_request_error", JsonDocument.Parse(await response.Content.ReadAsStringAsync())
                .RootElement.GetProperty("error").GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task AScopedKeyCannotPickItsOwnModelForARun()
    {
        await using var factory = TestSupport.Service();
        using var owner = factory.Client("usr_scoped_run");
        var assistantId = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_scoped_run", [assistantId]);
        var threadId = (await (await key.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString();

        using var response = await key.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId, model = "gpt-4-expensive" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task AKeySeesTheThreadsOfItsAssistantAndTheOnesItMadeButNoOthers()
    {
        await using var factory = TestSupport.Service();
        using var owner = factory.Client("usr_threads_scope");
        var mine = await owner.CreateAssistantAsync();
        var other = await owner.CreateAssistantAsync();
        using var key = factory.Client("usr_threads_scope", [mine]);
        var boundToMine = await NewThreadWithRunAsync(owner, mine);
        var boundToOther = await NewThreadWithRunAsync(owner, other);
        var ownersUnbound = (await (await owner.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        var keysUnbound = (await (await key.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;

        var listedToKey = Ids(await (await key.GetAsync(new Uri("/v1/threads", UriKind.Relative))).JsonAsync());
        var listedToOwner = Ids(await (await owner.GetAsync(new Uri("/v1/threads", UriKind.Relative))).JsonAsync());
        using var readOther = await key.GetAsync(new Uri($"/v1/threads/{boundToOther}/messages", UriKind.Relative));

        Assert.Equal([boundToMine, keysUnbound], listedToKey.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { boundToMine, boundToOther, ownersUnbound, keysUnbound }.Order(StringComparer.Ordinal), listedToOwner.Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, readOther.StatusCode);
    }

    private static async Task<string> NewThreadWithRunAsync(HttpClient client, string assistantId)
    {
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        using var run = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId });
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        return threadId;
    }

    [Fact]
    public async Task AnAccountAtItsAssistantLimitIsRefusedAnotherUntilItDeletesOneAndOtherAccountsAreNotAffected()
    {
        await using var factory = TestSupport.Service().With("Chat:MaxAssistantsPerUser", "2");
        using var client = factory.Client("usr_asst_limit");
        using var other = factory.Client("usr_asst_limit_other");
        var first = await client.CreateAssistantAsync("first");
        await client.CreateAssistantAsync("second");

        using var third = await client.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "third" });
        var error = (await third.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        using var theirs = await other.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "theirs" });
        using var deleted = await client.DeleteAsync($"/v1/assistants/{first}");
        using var thirdAgain = await client.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "third" });

        Assert.Equal(HttpStatusCode.Forbidden, third.StatusCode);
        Assert.Equal("assistant_limit_reached", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, thirdAgain.StatusCode);
        var listed = await (await client.GetAsync("/v1/assistants")).JsonAsync();
        Assert.Equal(["third", "Handbook"], listed.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
    }
}
