using System.Net.Http.Json;
using System.Text.Json;
using ServiceDefaults.Caching;

namespace Gateway.Tests.Budgets;

/// <summary>
/// Two gateways (one in this process, one its own process) sharing a real Redis and a real PostgreSQL, each in front
/// of its own real chat-service process (both on that Redis), a real voice-service process, and the scripted model
/// behind both chat-services. Short model timeouts so the slow-model tests are quick. Tests share it, never data:
/// each signs up its own user and makes its own keys.
/// </summary>
public sealed class ModelPlatform : IAsyncLifetime
{
    public const string Collection = "model platform";

    public const string Timeout = "00:00:02";
    private readonly List<IAsyncDisposable> _parts = [];

    public ScriptedHttpServer Model { get; private set; } = null!;

    /// <summary>ConnectionStrings:cache of every part: a database of the shared Redis that no other test writes to.</summary>
    public string Cache { get; private set; } = null!;

    /// <summary>The gateway in this process, in front of the first chat-service and the voice-service.</summary>
    internal GatewayHost First { get; private set; } = null!;

    /// <summary>The gateway in a process of its own, in front of the second chat-service.</summary>
    public HttpClient Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cache = (await SharedServers.RedisAsync()).ConnectionStringOfNewDatabase();
        var database = await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("gateway");
        Model = await ScriptedModel.StartAsync();
        _parts.Add(Model);

        var chatSettings = new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = Cache,
            ["ConnectionStrings__openai"] = $"Endpoint={new Uri(Model.Url, "/v1")};Key=test-key;Model=scripted-model",
            ["Chat__ProviderRetryDelay"] = "00:00:00.010",
            ["Chat__ModelFirstTokenTimeout"] = Timeout,
            ["Chat__ModelStallTimeout"] = Timeout,
            ["Resilience__MaxRetries"] = "0",
            // No document- or intent-cache-service here: the chat-services answer without them.
            ["services__document-service__http__0"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["services__intent-cache-service__http__0"] = $"http://127.0.0.1:{FreePort.Next()}",
        };
        var chats = await Task.WhenAll(
            RealServiceProcess.StartAsync("ChatService", "chatdb", chatSettings),
            RealServiceProcess.StartAsync("ChatService", "chatdb", chatSettings));
        _parts.AddRange(chats);
        var voice = await RealServiceProcess.StartAsync("VoiceService", "voicedb", new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = Cache,
            ["services__chat-service__http__0"] = chats[0].Url.ToString().TrimEnd('/'),
            ["services__document-service__http__0"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["services__intent-cache-service__http__0"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Resilience__MaxRetries"] = "0",
        });
        _parts.Add(voice);

        First = GatewayHost.Start(
            new Dictionary<string, Uri> { ["chat-service"] = chats[0].Url, ["voice-service"] = voice.Url },
            new Dictionary<string, string>
            {
                ["ConnectionStrings:cache"] = Cache,
                // Every test signs up its own user, far more often than the brute-force limit on sign-ups allows.
                ["Limits:AnonymousPerIpPerMinute"] = "1000000",
            }, database);
        // The first gateway makes the schema before the second starts, as a rolling deployment would.
        using (await First.Client.GetAsync(new Uri("/alive", UriKind.Relative)))
        {
        }
        var second = await RealServiceProcess.StartAsync("Gateway", "gatewaydb", new Dictionary<string, string>
        {
            ["ConnectionStrings__gatewaydb"] = database,
            ["ConnectionStrings__cache"] = Cache,
            ["services__chat-service__http__0"] = chats[1].Url.ToString().TrimEnd('/'),
            ["Auth__PasswordIterations"] = "10000",
        });
        _parts.Add(second);
        Second = new HttpClient { BaseAddress = second.Url, Timeout = TimeSpan.FromSeconds(60) };

        // One answer through each gateway first: a chat-service's first model call (JIT, the first connection) can
        // take longer than the short timeouts above on a busy machine, and no test should pay for that. A warm-up cut
        // by those timeouts (504) is tried again: it has still warmed what it reached.
        var session = await First.SignUpAsync();
        foreach (var client in new[] { First.Client, Second })
        {
            var warm = await WarmUpAsync(client, session.AccessToken);
            for (var attempt = 1; attempt < 5 && warm.Status == System.Net.HttpStatusCode.GatewayTimeout; attempt++)
            {
                warm = await WarmUpAsync(client, session.AccessToken);
            }
            Assert.Equal(System.Net.HttpStatusCode.OK, warm.Status);
        }
    }

    private static Task<Answer> WarmUpAsync(HttpClient client, string accessToken) =>
        Answer.PostAsync(client, "/v1/chat/completions", accessToken,
            new { model = "scripted-model", stream = true, messages = new[] { new { role = "user", content = "Warm up" } } });

    /// <summary>A new user's session and an API key of theirs with this tokens-per-minute budget.</summary>
    internal async Task<(Session Session, string KeyId, string Secret)> UserWithKeyAsync(int tpm)
    {
        var session = await First.SignUpAsync();
        var (keyId, secret) = await First.CreateKeyAsync(session, tpm: tpm);
        return (session, keyId, secret);
    }

    /// <summary>What the key's budget holds right now, read from Redis where every chat-service keeps it.</summary>
    public async Task<long> SpentAsync(string keyId)
    {
        using var connection = new RedisConnection(Cache);
        var buckets = await connection.Database.HashValuesAsync("chat-service:tpm:" + keyId);
        return buckets.Sum(b => (long)b);
    }

    /// <summary>The requests the model saw whose last user message holds <paramref name="marker"/>.</summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonNode> ModelRequests(string marker) =>
        Model.Requests.Where(r => r.Body.Contains(marker, StringComparison.Ordinal))
            .Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.Body)!).ToList();

    public static async Task<string> CreateAssistantAsync(HttpClient client, string bearer)
    {
        using var request = GatewayHost.Request(HttpMethod.Post, "/v1/assistants", bearer,
            new { model = "scripted-model", name = "Handbook", instructions = "Answer briefly." });
        using var response = await client.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        Second?.Dispose();
        if (First is not null)
        {
            await First.DisposeAsync();
        }
        foreach (var part in Enumerable.Reverse(_parts))
        {
            await part.DisposeAsync();
        }
    }
}

/// <summary>The fault and budget tests share one platform, one test at a time.</summary>
[CollectionDefinition(ModelPlatform.Collection)]
public sealed class ModelPlatformCollection : ICollectionFixture<ModelPlatform>;
