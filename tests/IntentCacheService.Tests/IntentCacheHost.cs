using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults.Caching;
using ServiceDefaults.Identity;

namespace IntentCacheService.Tests;

/// <summary>
/// The service under test on a real redis-server (or process memory), with chat-service (another engineer's work)
/// stood in by a scripted server that answers the ownership check from <see cref="Grant"/>.
/// </summary>
public sealed class IntentCacheHost : IAsyncDisposable
{
    private static readonly CallerTokenCodec Codec = new(
        Options.Create(new IdentityOptions { SigningKey = TestIdentity.SigningKey }), TimeProvider.System);

    private readonly ConcurrentDictionary<(string Assistant, string User), bool> _grants = new();

    private IntentCacheHost()
    {
    }

    public ScriptedHttpServer ChatService { get; private set; } = null!;

    public ServiceFactory<Program> Factory { get; private set; } = null!;

    public static async Task<IntentCacheHost> StartAsync(bool redis = true, Action<ServiceFactory<Program>>? configure = null)
    {
        var host = new IntentCacheHost();
        host.ChatService = await ScriptedHttpServer.StartAsync(host.AnswerOwnershipAsync);
        host.Factory = new ServiceFactory<Program>()
            .WithSqlite("intentdb")
            .With("services:chat-service:http:0", host.ChatService.Url.ToString().TrimEnd('/'));
        if (redis)
        {
            host.Factory.With("ConnectionStrings:cache", (await SharedServers.RedisAsync()).ConnectionString);
        }
        configure?.Invoke(host.Factory);
        if (redis)
        {
            // A deployed instance gets traffic once its /health finds Redis. A test's first request waits for the same:
            // with FailFast a command sent before the connection is up fails at once, and on a loaded machine the
            // connect at start can outlast its timeout (CI once met a 503 on a test's first PUT).
            var connection = host.Factory.Services.GetRequiredService<RedisConnection>();
            await Wait.UntilAsync(() => Task.FromResult(connection.Multiplexer.IsConnected), TimeSpan.FromSeconds(30), "the service's connection to Redis");
        }
        return host;
    }

    /// <summary>
    /// A redis-server of its own whose service user may do everything but PUBLISH, so instances cannot tell each
    /// other of a change; returns it and the connection string the service connects with.
    /// </summary>
    public static async Task<(RedisServer Server, string ConnectionString)> RedisWithoutAnnouncementsAsync()
    {
        var redis = await RedisServer.StartAsync();
        await using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true"))
        {
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "intents", "on", ">intents-password", "~*", "&*", "+@all", "-publish");
        }
        return (redis, redis.ConnectionString + ",user=intents,password=intents-password");
    }

    public static string NewAssistant() => "asst_" + Guid.NewGuid().ToString("N")[..12];

    public static string NewUser() => "usr_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Chat-service will say this user may use this assistant.</summary>
    public IntentCacheHost Grant(string assistantId, string userId)
    {
        _grants[(assistantId, userId)] = true;
        return this;
    }

    public HttpClient ClientFor(string userId, IReadOnlyList<string>? assistants = null) =>
        Factory.CreateClient().ActAs(userId, assistants is null ? null : "key_test", assistants);

    /// <summary>An owned assistant with the labelled set's HR intents defined, and a client acting as its owner.</summary>
    public async Task<(string Assistant, string Owner, HttpClient Client)> HrAssistantAsync(object? body = null)
    {
        var assistant = NewAssistant();
        var owner = NewUser();
        Grant(assistant, owner);
        var client = ClientFor(owner);
        using var put = await client.PutAsJsonAsync($"/api/intents/{assistant}", body ?? LabelledSet.Load().PutBody());
        if (!put.IsSuccessStatusCode)
        {
            // The problem's detail tells a sibling that could not be asked from a store that timed out.
            Assert.Fail($"PUT /api/intents answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        }
        return (assistant, owner, client);
    }

    private async Task AnswerOwnershipAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        const string prefix = "/v1/assistants/";
        var token = context.Request.Headers[CallerTokenCodec.HeaderName].ToString();
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || !Codec.TryRead(token, out var caller, out _))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var assistant = path[prefix.Length..];
        if (_grants.ContainsKey((assistant, caller!.UserId)))
        {
            await context.Response.WriteAsJsonAsync(new { id = assistant, @object = "assistant" });
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await ChatService.DisposeAsync();
    }
}

/// <summary>Calls the service makes in the tests, with the contract's shapes.</summary>
public static class IntentCacheCalls
{
    public static async Task<LookupResult> LookupAsync(
        this HttpClient client, string assistant, string text, string? knowledgeVersion = "v1", params string[] context)
    {
        using var response = await client.PostAsJsonAsync("/api/intent-cache/lookup", new
        {
            assistant_id = assistant, text, context, knowledge_version = knowledgeVersion,
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LookupResult>(ServiceDefaults.Json.JsonDefaults.Options))!;
    }

    public static async Task StoreAsync(
        this HttpClient client, string assistant, string text, string answer, string? knowledgeVersion = "v1", params string[] context)
    {
        using var response = await client.PostAsJsonAsync("/api/intent-cache/store", new
        {
            assistant_id = assistant, text, context, knowledge_version = knowledgeVersion, answer,
        });
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }
}

public sealed record LookupResult(bool Hit, string? Answer, string? Intent, double Confidence, string? EntryId, string Reason);
