using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;

namespace Gateway.Tests;

/// <summary>
/// One gateway hosted in the test process, its four services stand-ins (or real addresses), and helpers to get a
/// session or an API key the way a client does.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    public static readonly string[] ServiceNames = ["chat-service", "document-service", "intent-cache-service", "voice-service"];

    public static readonly CallerTokenCodec Codec = new(
        Options.Create(new IdentityOptions { SigningKey = TestIdentity.SigningKey }), TimeProvider.System);

    public GatewayHost(ServiceFactory<Program> factory)
    {
        Factory = factory;
        Client = factory.CreateClient();
    }

    public ServiceFactory<Program> Factory { get; }

    public HttpClient Client { get; }

    /// <param name="services">Where each service answers; a missing one gets a closed port.</param>
    public static GatewayHost Start(IReadOnlyDictionary<string, Uri> services, IReadOnlyDictionary<string, string>? settings = null, string? database = null) =>
        new(StartLazy(services, settings, database));

    /// <summary>The configured factory, not started yet (it starts on its first client).</summary>
    public static ServiceFactory<Program> StartLazy(IReadOnlyDictionary<string, Uri> services, IReadOnlyDictionary<string, string>? settings = null, string? database = null)
    {
        var factory = new ServiceFactory<Program>()
            .With("Auth:PasswordIterations", "10000");
        if (database is null)
        {
            factory.WithSqlite("gatewaydb");
        }
        else
        {
            factory.With("ConnectionStrings:gatewaydb", database);
        }
        foreach (var name in ServiceNames)
        {
            var address = services.TryGetValue(name, out var uri) ? uri.ToString().TrimEnd('/') : $"http://127.0.0.1:{FreePort.Next()}";
            factory.With($"services:{name}:http:0", address);
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            factory.With(key, value);
        }
        return factory;
    }

    public async Task<Session> SignUpAsync(string? email = null)
    {
        email ??= $"user-{Guid.NewGuid():N}@example.com";
        const string password = "correct horse battery 42";
        using var registered = await Client.PostAsJsonAsync("/auth/register", new { name = "Test User", email, password });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var user = await registered.Content.ReadFromJsonAsync<JsonElement>();
        var tokens = await LoginAsync(email, password);
        return new Session(user.GetProperty("id").GetString()!, email, password, tokens.GetProperty("access_token").GetString()!,
            tokens.GetProperty("refresh_token").GetString()!);
    }

    public async Task<JsonElement> LoginAsync(string email, string password)
    {
        using var response = await Client.PostAsJsonAsync("/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<(string Id, string Secret)> CreateKeyAsync(Session session, string[]? assistants = null, int? rpm = null, int? tpm = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/keys")
        {
            Content = JsonContent.Create(new { name = "test key", assistants, rpm, tpm }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (key.GetProperty("id").GetString()!, key.GetProperty("key").GetString()!);
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? bearer = null, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }
        return request;
    }

    /// <summary>The identity a service was given for a request, as the service would read it.</summary>
    public static CallerIdentity ReadForwardedIdentity(RecordedRequest request)
    {
        Assert.True(request.Headers.TryGetValue(CallerTokenCodec.HeaderName, out var token), "the gateway vouched for the caller");
        Assert.True(Codec.TryRead(token!, out var caller, out var error), error);
        return caller!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}

internal sealed record Session(string UserId, string Email, string Password, string AccessToken, string RefreshToken);

/// <summary>Four scripted services that answer every request with their own name, and /alive and /health with 200.</summary>
internal sealed class Backends : IAsyncDisposable
{
    private readonly Dictionary<string, ScriptedHttpServer> _servers = [];

    public IReadOnlyDictionary<string, ScriptedHttpServer> Servers => _servers;

    public IReadOnlyDictionary<string, Uri> Addresses => _servers.ToDictionary(s => s.Key, s => s.Value.Url);

    public static async Task<Backends> StartAsync(Func<string, HttpContext, Task>? handler = null)
    {
        var backends = new Backends();
        foreach (var name in GatewayHost.ServiceNames)
        {
            backends._servers[name] = await ScriptedHttpServer.StartAsync(context =>
            {
                if (context.Request.Path == "/alive" || context.Request.Path == "/health")
                {
                    return context.Response.WriteAsync("{}");
                }
                return handler is null
                    ? context.Response.WriteAsJsonAsync(new { service = name, path = context.Request.Path.Value })
                    : handler(name, context);
            });
        }
        return backends;
    }

    /// <summary>Requests a service saw apart from health probes.</summary>
    public IReadOnlyList<RecordedRequest> Seen(string service) =>
        _servers[service].Requests.Where(r => r.PathAndQuery is not "/alive" and not "/health").ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }
}
