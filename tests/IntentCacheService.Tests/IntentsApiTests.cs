using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace IntentCacheService.Tests;

public sealed class IntentsApiTests
{
    [Fact]
    public async Task PutThenGetReturnsTheIntentsWithTrainingStatistics()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();

        var set = await client.GetFromJsonAsync<JsonElement>($"/api/intents/{assistant}");

        Assert.Equal(assistant, set.GetProperty("assistant_id").GetString());
        Assert.Equal(IntentCacheOptions.DefaultThreshold, set.GetProperty("threshold").GetDouble());
        Assert.True(set.GetProperty("threshold_is_default").GetBoolean());
        Assert.Equal(8, set.GetProperty("intents").GetArrayLength());
        var training = set.GetProperty("training");
        Assert.Equal(8, training.GetProperty("intents").GetInt32());
        Assert.Equal(64, training.GetProperty("examples").GetInt32());
        Assert.Equal("all-MiniLM-L6-v2", training.GetProperty("embedding_model").GetString());
        Assert.InRange(training.GetProperty("leave_one_out_accuracy").GetDouble(), 0.6, 1);
        Assert.Equal("local", training.GetProperty("provider").GetString());
    }

    [Fact]
    public async Task APutWhoseSetIsStoredAnswersItsRevisionWhenTheOtherInstancesCannotBeToldOfIt()
    {
        // A Redis whose user may do everything but PUBLISH: each set is written, each announcement of it fails.
        var (redis, connectionString) = await IntentCacheHost.RedisWithoutAnnouncementsAsync();
        await using var server = redis;
        await using var host = await IntentCacheHost.StartAsync(redis: false, configure: f => f.With("ConnectionStrings:cache", connectionString));
        var assistant = IntentCacheHost.NewAssistant();
        var owner = IntentCacheHost.NewUser();
        host.Grant(assistant, owner);
        using var client = host.ClientFor(owner);

        using var first = await client.PutAsJsonAsync($"/api/intents/{assistant}", new
        {
            intents = new[] { new { name = "greeting", examples = new[] { "hello there", "good morning" } } },
        });
        using var second = await client.PutAsJsonAsync($"/api/intents/{assistant}", new
        {
            intents = new[] { new { name = "farewell", examples = new[] { "goodbye", "see you tomorrow" } } },
        });
        var set = await client.GetFromJsonAsync<JsonElement>($"/api/intents/{assistant}");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64());
        Assert.Equal("farewell", Assert.Single(set.GetProperty("intents").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task APutReplacesTheSetAndItsThreshold()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();

        using var put = await client.PutAsJsonAsync($"/api/intents/{assistant}", new
        {
            threshold = 0.6,
            intents = new[] { new { name = "greeting", examples = new[] { "hello there", "good morning" } } },
        });
        var set = await client.GetFromJsonAsync<JsonElement>($"/api/intents/{assistant}");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(0.6, set.GetProperty("threshold").GetDouble());
        Assert.Equal(2, set.GetProperty("revision").GetInt32());
        Assert.Equal("greeting", Assert.Single(set.GetProperty("intents").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task FirstPutsOfAnAssistantsIntentsAtTheSameMomentAllSucceedAndOneSetIsKept()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var assistant = IntentCacheHost.NewAssistant();
        var owner = IntentCacheHost.NewUser();
        host.Grant(assistant, owner);
        using var client = host.ClientFor(owner);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var put = await client.PutAsJsonAsync($"/api/intents/{assistant}", new
            {
                intents = new[] { new { name = $"intent{i}", examples = new[] { "hello there", "good morning" } } },
            });
            return (Status: put.StatusCode, Body: await put.Content.ReadAsStringAsync());
        }));
        var set = await client.GetFromJsonAsync<JsonElement>($"/api/intents/{assistant}");

        Assert.All(answers, answer => Assert.True(answer.Status == HttpStatusCode.OK, $"{answer.Status}: {answer.Body}"));
        Assert.StartsWith("intent", Assert.Single(set.GetProperty("intents").EnumerateArray()).GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task PutsAtTheSameMomentEachGetTheirOwnRevisionAndTheLastOneIsServed(string database)
    {
        var postgres = database == "postgres"
            ? await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("intents")
            : null;
        await using var host = await IntentCacheHost.StartAsync(configure: factory =>
        {
            if (postgres is not null)
            {
                factory.With("ConnectionStrings:intentdb", postgres);
            }
        });
        var assistant = IntentCacheHost.NewAssistant();
        var owner = IntentCacheHost.NewUser();
        host.Grant(assistant, owner);
        using var client = host.ClientFor(owner);
        using var first = await client.PutAsJsonAsync($"/api/intents/{assistant}", IntentsNamed("intent_first"));
        first.EnsureSuccessStatusCode();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var put = await client.PutAsJsonAsync($"/api/intents/{assistant}", IntentsNamed($"intent{i}"));
            var body = await put.Content.ReadFromJsonAsync<JsonElement>();
            return (Revision: body.GetProperty("revision").GetInt32(), Name: body.GetProperty("intents")[0].GetProperty("name").GetString());
        }));
        var set = await client.GetFromJsonAsync<JsonElement>($"/api/intents/{assistant}");

        Assert.Equal(Enumerable.Range(2, 8), answers.Select(a => a.Revision).Order());
        Assert.Equal(9, set.GetProperty("revision").GetInt32());
        Assert.Equal(answers.Single(a => a.Revision == 9).Name, set.GetProperty("intents")[0].GetProperty("name").GetString());
    }

    private static object IntentsNamed(string name) =>
        new { intents = new[] { new { name, examples = new[] { "hello there", "good morning" } } } };

    [Fact]
    public async Task ClassifyReturnsTheIntentConfidenceAndAlternatives()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();

        using var inScope = await client.PostAsJsonAsync($"/api/intents/{assistant}/classify", new { text = "I forgot my password" });
        using var outOfScope = await client.PostAsJsonAsync($"/api/intents/{assistant}/classify", new { text = "Recommend a good movie" });
        var a = await inScope.Content.ReadFromJsonAsync<JsonElement>();
        var b = await outOfScope.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("password_reset", a.GetProperty("intent").GetString());
        Assert.False(a.GetProperty("out_of_scope").GetBoolean());
        Assert.InRange(a.GetProperty("confidence").GetDouble(), 0.5, 1);
        Assert.Equal(4, a.GetProperty("alternatives").GetArrayLength());
        Assert.Equal("password_reset", a.GetProperty("alternatives")[0].GetProperty("intent").GetString());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("intent").ValueKind);
        Assert.True(b.GetProperty("out_of_scope").GetBoolean());
        Assert.True(b.GetProperty("confidence").GetDouble() < IntentCacheOptions.DefaultThreshold);
    }

    [Theory]
    [InlineData("""{"intents":[]}""")]
    [InlineData("""{"intents":[{"name":"a","examples":["x"]},{"name":"a","examples":["y"]}]}""")]
    [InlineData("""{"intents":[{"name":"a","examples":[]}]}""")]
    [InlineData("""{"intents":[{"name":"has space","examples":["x"]}]}""")]
    [InlineData("""{"threshold":1.5,"intents":[{"name":"a","examples":["x"]}]}""")]
    [InlineData("""{"intents":"nope"}""")]
    [InlineData("""not json""")]
    public async Task ABadIntentSetIsRefusedWithAProblemAndTheStoredSetIsKept(string body)
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();

        using var put = await client.PutAsync($"/api/intents/{assistant}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var set = await client.GetFromJsonAsync<JsonElement>($"/api/intents/{assistant}");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        Assert.Equal(8, set.GetProperty("intents").GetArrayLength());
    }

    [Fact]
    public async Task AnAssistantWithoutIntentsIsNotFoundOnGetAndMissesOnLookup()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var assistant = IntentCacheHost.NewAssistant();
        var owner = IntentCacheHost.NewUser();
        host.Grant(assistant, owner);
        using var client = host.ClientFor(owner);

        using var get = await client.GetAsync($"/api/intents/{assistant}");
        var lookup = await client.LookupAsync(assistant, "How many vacation days do I get?");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.False(lookup.Hit);
        Assert.Equal("no_intents", lookup.Reason);
    }

    [Fact]
    public async Task WhenChatServiceIsUnreachableTheCallerGetsServiceUnavailable()
    {
        await using var host = await IntentCacheHost.StartAsync(configure: f => f
            .With("services:chat-service:http:0", "http://127.0.0.1:" + FreePort.Next())
            .With("Resilience:MaxRetries", "0"));
        using var client = host.ClientFor(IntentCacheHost.NewUser());

        using var lookup = await client.PostAsJsonAsync("/api/intent-cache/lookup", new { assistant_id = "asst_x", text = "hello" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, lookup.StatusCode);
    }

    [Theory]
    [InlineData("""{"assistant_id":"bad id!","text":"hi"}""")]
    [InlineData("""{"assistant_id":"asst_x","text":""}""")]
    [InlineData("""{"assistant_id":"asst_x"}""")]
    public async Task ALookupWithBadInputIsABadRequest(string body)
    {
        await using var host = await IntentCacheHost.StartAsync();
        using var client = host.ClientFor(IntentCacheHost.NewUser());

        using var lookup = await client.PostAsync("/api/intent-cache/lookup", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, lookup.StatusCode);
    }
}
