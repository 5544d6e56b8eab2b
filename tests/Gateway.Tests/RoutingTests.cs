using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests;

public sealed class RoutingTests
{
    public static TheoryData<string, string, string> PublicRoutes => new()
    {
        { "POST", "/v1/chat/completions", "chat-service" },
        { "GET", "/v1/models", "chat-service" },
        { "GET", "/v1/assistants", "chat-service" },
        { "POST", "/v1/assistants/asst_1", "chat-service" },
        { "POST", "/v1/threads", "chat-service" },
        { "POST", "/v1/threads/thread_1/runs", "chat-service" },
        { "GET", "/v1/threads/thread_1/messages?limit=5", "chat-service" },
        { "POST", "/api/chats/messages", "chat-service" },
        { "GET", "/api/chats?active=true", "chat-service" },
        { "POST", "/api/chats/chat_1/activate", "chat-service" },
        { "POST", "/api/ask", "chat-service" },
        { "GET", "/v1/files", "document-service" },
        { "GET", "/v1/files/file_1/content", "document-service" },
        { "POST", "/v1/embeddings", "document-service" },
        { "POST", "/api/documents/search", "document-service" },
        { "GET", "/api/assistants/asst_1/knowledge", "document-service" },
        { "PUT", "/api/intents/asst_1", "intent-cache-service" },
        { "POST", "/api/intents/asst_1/classify", "intent-cache-service" },
        { "GET", "/api/intent-cache/stats", "intent-cache-service" },
        { "DELETE", "/api/intent-cache/asst_1", "intent-cache-service" },
        { "POST", "/v1/audio/speech", "voice-service" },
        { "POST", "/api/voice/respond", "voice-service" },
        { "GET", "/api/voice/turns", "voice-service" },
    };

    [Theory]
    [MemberData(nameof(PublicRoutes))]
    public async Task EveryPublicRouteReachesItsServiceWithAVouchedIdentityAndNoClientCredentials(string method, string path, string service)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();

        using var request = GatewayHost.Request(new HttpMethod(method), path, session.AccessToken, method is "GET" or "DELETE" ? null : new { x = 1 });
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(service, answer.GetProperty("service").GetString());
        var seen = Assert.Single(backends.Seen(service));
        Assert.Equal(path, seen.PathAndQuery);
        Assert.Equal(method, seen.Method);
        Assert.False(seen.Headers.ContainsKey("Authorization"), "the client's credential stays at the gateway");
        var caller = GatewayHost.ReadForwardedIdentity(seen);
        Assert.Equal(session.UserId, caller.UserId);
        Assert.Null(caller.Assistants);
        foreach (var other in GatewayHost.ServiceNames.Where(s => s != service))
        {
            Assert.Empty(backends.Seen(other));
        }
    }

    [Theory]
    [InlineData("/api/intent-cache/lookup")]
    [InlineData("/api/intent-cache/store")]
    [InlineData("/api/intent-cache/hits")]
    public async Task InternalOnlyRoutesAreNotReachableFromOutside(string path)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();

        using var response = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, path, session.AccessToken, new { assistant_id = "asst_1" }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(backends.Seen("intent-cache-service"));
    }

    [Fact]
    public async Task EveryAnswerCarriesARequestIdOfItsOwnThatTheServiceAlsoGotAndAClientCannotChoose()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();

        using var proxied = GatewayHost.Request(HttpMethod.Get, "/v1/models", session.AccessToken, null);
        proxied.Headers.Add("X-Request-Id", "req_chosen_by_the_client");
        using var answered = await gateway.Client.SendAsync(proxied);
        using var refused = await gateway.Client.GetAsync(new Uri("/v1/models", UriKind.Relative));
        using var missing = await gateway.Client.GetAsync(new Uri("/v1/nothing/here", UriKind.Relative));

        var ids = new[] { answered, refused, missing }.Select(r => Assert.Single(r.Headers.GetValues("x-request-id"))).ToList();
        Assert.All(ids, id => Assert.Matches("^req_[0-9a-f]{32}$", id));
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var seen = Assert.Single(backends.Seen("chat-service"));
        Assert.Equal(ids[0], seen.Headers["X-Request-Id"]);
    }

    [Fact]
    public async Task ProxiedRoutesRefuseAnonymousCallersWithTheFamilyErrorShape()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);

        using var openAi = await gateway.Client.GetAsync(new Uri("/v1/models", UriKind.Relative));
        using var native = await gateway.Client.GetAsync(new Uri("/api/chats", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, openAi.StatusCode);
        var error = await openAi.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("authentication_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, native.StatusCode);
        Assert.Equal("application/problem+json", native.Content.Headers.ContentType?.MediaType);
        Assert.Empty(backends.Seen("chat-service"));
    }

    [Fact]
    public async Task AStreamedAnswerReachesTheClientEventByEventUnbuffered()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backends = await Backends.StartAsync(async (_, context) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"delta\":\"first\"}\n\n");
            await context.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();

        using var request = GatewayHost.Request(HttpMethod.Post, "/v1/chat/completions", session.AccessToken, new { stream = true });
        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("data: {\"delta\":\"first\"}", first);
        release.SetResult();
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("data: [DONE]", rest, StringComparison.Ordinal);
    }

    /// <summary>How fast such a 503 comes is measured over many requests by Faults.Tests (ServiceKilledTests), not here.</summary>
    [Fact]
    public async Task AStoppedServiceAnswers503ProblemDetailsWhileOtherRoutesWork()
    {
        await using var backends = await Backends.StartAsync();
        var voice = await ScriptedHttpServer.StartAsync(context => context.Response.WriteAsync("{}"));
        var addresses = backends.Addresses.ToDictionary(a => a.Key, a => a.Value);
        addresses["voice-service"] = voice.Url;
        await using var gateway = GatewayHost.Start(addresses);
        var session = await gateway.SignUpAsync();
        using (var warm = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/voice/turns", session.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }
        await voice.DisposeAsync();

        using var down = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/voice/turns", session.AccessToken));
        using var openAiDown = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/v1/audio/speech", session.AccessToken, new { input = "hi" }));
        using var chat = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/chats", session.AccessToken));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        var problem = await down.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("voice-service", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, openAiDown.StatusCode);
        var error = await openAiDown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("service_unavailable", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("HashCookie")]
    public async Task HashCookieAffinityYarpsDefaultPinsTheClientWithItsCookie(string? policy)
    {
        await using var backends = await Backends.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:chat-service:SessionAffinity:Enabled"] = "true",
            ["ReverseProxy:Clusters:chat-service:SessionAffinity:AffinityKeyName"] = ".chat-affinity",
        };
        if (policy is not null)
        {
            settings["ReverseProxy:Clusters:chat-service:SessionAffinity:Policy"] = policy;
        }
        await using var gateway = GatewayHost.Start(backends.Addresses, settings);
        var session = await gateway.SignUpAsync();

        using var response = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", session.AccessToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".chat-affinity=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CookieAffinityIsAccepted()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:chat-service:SessionAffinity:Enabled"] = "true",
            ["ReverseProxy:Clusters:chat-service:SessionAffinity:Policy"] = "Cookie",
            ["ReverseProxy:Clusters:chat-service:SessionAffinity:AffinityKeyName"] = ".chat-affinity",
        });
        var session = await gateway.SignUpAsync();

        using var response = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", session.AccessToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AClientWhoseBaseUrlLacksV1HearsA404SayingSoWhileBrowsersStillGetThePage()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        using var sdk = new HttpRequestMessage(HttpMethod.Get, "/models");
        sdk.Headers.Accept.ParseAdd("application/json");
        using var browser = new HttpRequestMessage(HttpMethod.Get, "/somewhere/else");
        browser.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");

        using var models = await gateway.Client.SendAsync(sdk);
        using var typo = await gateway.Client.GetAsync(new Uri("/helth", UriKind.Relative));
        using var section = await gateway.Client.GetAsync(new Uri("/chat/thread_1", UriKind.Relative));
        using var page = await gateway.Client.SendAsync(browser);

        Assert.Equal(HttpStatusCode.NotFound, models.StatusCode);
        Assert.Contains("served under /v1", (await models.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, typo.StatusCode);
        Assert.Equal("application/problem+json", typo.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/html", section.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Empty(backends.Seen("chat-service"));
    }

    [Theory]
    [InlineData("/v1/files/file_1/content")]
    [InlineData("/api/documents/doc_1/content")]
    public async Task AnUploadedFileComesBackUnsniffedAndSandboxedWhateverItsType(string path)
    {
        await using var backends = await Backends.StartAsync((_, context) =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<script>window.__xss = 1</script>");
        });
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();

        using var content = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, path, session.AccessToken));
        using var listing = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/files", session.AccessToken));

        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("sandbox", content.Headers.GetValues("Content-Security-Policy").Single());
        Assert.False(listing.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task DocsServeOneSwaggerUiListingTheGatewayAndEveryServiceDocument()
    {
        await using var backends = await Backends.StartAsync((name, context) =>
            context.Request.Path == "/openapi/v1.json"
                ? context.Response.WriteAsJsonAsync(new { openapi = "3.1.1", info = new { title = name, version = "v1" }, paths = new { } })
                : Task.CompletedTask);
        await using var gateway = GatewayHost.Start(backends.Addresses);

        var page = await gateway.Client.GetStringAsync(new Uri("/docs/index.html", UriKind.Relative));
        var config = await gateway.Client.GetStringAsync(new Uri("/docs/index.js", UriKind.Relative));
        var own = await gateway.Client.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Contains("swagger-ui", page, StringComparison.Ordinal);
        Assert.Contains("/auth/login", own.GetProperty("paths").EnumerateObject().Select(p => p.Name));
        foreach (var service in GatewayHost.ServiceNames)
        {
            Assert.Contains($"/docs/{service}/openapi.json", config, StringComparison.Ordinal);
            var document = await gateway.Client.GetFromJsonAsync<JsonElement>(new Uri($"/docs/{service}/openapi.json", UriKind.Relative));
            Assert.Equal(service, document.GetProperty("info").GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task AServicesDocumentIsFetchedOnceAndThenServedFromTheGatewaysMemory()
    {
        await using var backends = await Backends.StartAsync((name, context) =>
            context.Request.Path == "/openapi/v1.json"
                ? context.Response.WriteAsJsonAsync(new { openapi = "3.1.1", info = new { title = name, version = "v1" }, paths = new { } })
                : Task.CompletedTask);
        await using var gateway = GatewayHost.Start(backends.Addresses);

        var titles = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            var document = await gateway.Client.GetFromJsonAsync<JsonElement>(new Uri("/docs/chat-service/openapi.json", UriKind.Relative));
            titles.Add(document.GetProperty("info").GetProperty("title").GetString());
        }

        Assert.All(titles, title => Assert.Equal("chat-service", title));
        Assert.Single(backends.Seen("chat-service"), r => r.PathAndQuery == "/openapi/v1.json");
    }

    [Theory]
    [InlineData("/docs/index.html")]
    [InlineData("/docs/index.js")]
    [InlineData("/docs/swagger-ui.css")]
    public async Task DocsCarryThePagesSecurityHeadersWithAPolicyThatForbidsFramingAndForeignScripts(string path)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);

        using var response = await gateway.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("object-src 'none'", policy);
    }

    [Fact]
    public async Task DocsLeaveOutTheRoutesTheGatewayKeepsShutSoTryItOutNeverMeetsA404()
    {
        await using var backends = await Backends.StartAsync((name, context) =>
            context.Request.Path == "/openapi/v1.json"
                ? context.Response.WriteAsJsonAsync(new
                {
                    openapi = "3.1.1",
                    info = new { title = name, version = "v1" },
                    paths = new Dictionary<string, object>
                    {
                        ["/api/intent-cache/stats"] = new { get = new { } },
                        ["/api/intent-cache/lookup"] = new { post = new { } },
                        ["/api/assistants/{assistant_id}/documents"] = new { delete = new { } },
                    },
                })
                : Task.CompletedTask);
        await using var gateway = GatewayHost.Start(backends.Addresses);

        var document = await gateway.Client.GetFromJsonAsync<JsonElement>(new Uri("/docs/intent-cache-service/openapi.json", UriKind.Relative));
        using var shut = await gateway.Client.PostAsync(new Uri("/api/intent-cache/lookup", UriKind.Relative), content: null);

        Assert.Equal(["/api/intent-cache/stats"], document.GetProperty("paths").EnumerateObject().Select(p => p.Name));
        Assert.Equal("intent-cache-service", document.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, shut.StatusCode);
    }
}
