using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServiceDefaults.Identity;

namespace IntentCacheService.Tests;

/// <summary>The Wit.ai provider behind the same interface, against a scripted stand-in for api.wit.ai.</summary>
public sealed class WitClassifierTests
{
    private const string Token = "wit-server-token-123";

    [Fact]
    public async Task ClassifyAsksWitWithTheConfiguredTokenAndReturnsItsIntent()
    {
        await using var wit = await ScriptedHttpServer.StartAsync(context => context.Response.WriteAsJsonAsync(new
        {
            text = context.Request.Query["q"].ToString(),
            intents = new[] { new { id = "1", name = "sick_leave", confidence = 0.93 }, new { id = "2", name = "payday", confidence = 0.04 } },
            entities = new { },
            traits = new { },
        }));
        await using var host = await IntentCacheHost.StartAsync(configure: f => WithWit(f, wit));
        var (assistant, _, client) = await host.HrAssistantAsync();

        using var response = await client.PostAsJsonAsync($"/api/intents/{assistant}/classify", new { text = "I have a fever & can't work" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var set = await client.GetFromJsonAsync<JsonElement>($"/api/intents/{assistant}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sick_leave", body.GetProperty("intent").GetString());
        Assert.Equal(0.93, body.GetProperty("confidence").GetDouble());
        Assert.Equal("payday", body.GetProperty("alternatives")[1].GetProperty("intent").GetString());
        Assert.Equal("wit", set.GetProperty("training").GetProperty("provider").GetString());
        var request = Assert.Single(wit.Requests);
        Assert.StartsWith("/message?v=", request.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("q=I%20have%20a%20fever%20%26%20can%27t%20work", request.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("Bearer " + Token, request.Headers["Authorization"]);
        // The platform's internal caller token never leaves the platform.
        Assert.False(request.Headers.ContainsKey(CallerTokenCodec.HeaderName));
    }

    [Fact]
    public async Task AWitIntentTheAssistantDoesNotDefineOrALowConfidenceIsOutOfScope()
    {
        var answers = new Queue<object>([
            new { intents = new[] { new { id = "1", name = "order_pizza", confidence = 0.99 } } },
            new { intents = new[] { new { id = "1", name = "payday", confidence = 0.12 } } },
            new { intents = Array.Empty<object>() },
        ]);
        await using var wit = await ScriptedHttpServer.StartAsync(context => context.Response.WriteAsJsonAsync(answers.Dequeue()));
        await using var host = await IntentCacheHost.StartAsync(configure: f => WithWit(f, wit));
        var (assistant, _, client) = await host.HrAssistantAsync();

        var unknown = await client.LookupAsync(assistant, "a large margherita please");
        var low = await client.LookupAsync(assistant, "money?");
        var none = await client.LookupAsync(assistant, "blorf");

        Assert.All([unknown, low, none], r => Assert.Equal("out_of_scope", r.Reason));
    }

    [Fact]
    public async Task AFailingWitIsABadGatewayNotAServerError()
    {
        await using var wit = await ScriptedHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        });
        await using var host = await IntentCacheHost.StartAsync(configure: f => WithWit(f, wit));
        var (assistant, _, client) = await host.HrAssistantAsync();

        using var response = await client.PostAsJsonAsync($"/api/intents/{assistant}/classify", new { text = "payday?" });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task TheWitProviderWithoutATokenFailsAtStart()
    {
        await using var host = await IntentCacheHost.StartAsync(redis: false, configure: f => f.With("IntentCache:Provider", "wit"));

        var error = Assert.ThrowsAny<Exception>(() => host.Factory.CreateClient());

        Assert.Contains("IntentCache:Wit:Token", error.ToString(), StringComparison.Ordinal);
    }

    private static void WithWit(ServiceFactory<Program> factory, ScriptedHttpServer wit) => factory
        .With("IntentCache:Provider", "wit")
        .With("IntentCache:Wit:Token", Token)
        .With("IntentCache:Wit:BaseUrl", wit.Url.ToString());
}
