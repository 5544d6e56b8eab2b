using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests;

public sealed class KeyTests
{
    [Fact]
    public async Task AKeySecretIsShownOnceListedWithoutItAndRefusedOnceRevoked()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (id, secret) = await gateway.CreateKeyAsync(session, ["asst_a"], rpm: 100, tpm: 5000);

        using var list = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/keys", session.AccessToken));
        var listed = await list.Content.ReadAsStringAsync();
        using var before = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", secret));
        using var revoke = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Delete, $"/api/keys/{id}", session.AccessToken));
        using var after = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", secret));

        Assert.StartsWith("key_", id, StringComparison.Ordinal);
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        var key = JsonDocument.Parse(listed).RootElement.GetProperty("data")[0];
        Assert.Equal(100, key.GetProperty("rpm").GetInt32());
        Assert.Equal(5000, key.GetProperty("tpm").GetInt32());
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task KeysMadeWithinOneSecondListInTheOrderTheyWereMade()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var made = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            made.Add((await gateway.CreateKeyAsync(session, ["asst_a"])).Id);
        }

        Task<HttpResponseMessage> Get(string path) => gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, path, session.AccessToken));

        Assert.Equal(made, (await NativeLists.PageAsync(Get, "/api/keys?order=asc")).Ids);
        Assert.Equal(Enumerable.Reverse(made), (await NativeLists.PageAsync(Get, "/api/keys")).Ids);
    }

    [Fact]
    public async Task KeysArePagedAsEveryListAndBadPagingIsRefusedAsTheChatListRefusesIt()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var other = await gateway.SignUpAsync();
        var made = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            made.Add((await gateway.CreateKeyAsync(session)).Id);
        }
        var (foreign, _) = await gateway.CreateKeyAsync(other);
        var (revoked, _) = await gateway.CreateKeyAsync(session);
        using var revoke = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Delete, $"/api/keys/{revoked}", session.AccessToken));
        Task<HttpResponseMessage> Get(string path) => gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, path, session.AccessToken));

        var newestFirst = await NativeLists.WalkAsync(Get, "/api/keys", limit: 2, order: "desc");
        var (beforeThird, _) = await NativeLists.PageAsync(Get, $"/api/keys?limit=2&before={newestFirst[2]}");
        await NativeLists.AssertRefusesBadPagingAsync(Get, "/api/keys", foreign);
        await NativeLists.AssertRefusesBadPagingAsync(Get, "/api/keys", revoked);

        Assert.Equal(Enumerable.Reverse(made), newestFirst);
        Assert.Equal(made, await NativeLists.WalkAsync(Get, "/api/keys", limit: 2, order: "asc"));
        Assert.Equal(newestFirst[..2], beforeThird);
    }

    [Fact]
    public async Task AKeyWorksAsBearerOrXApiKeyAndServicesLearnItsScope()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (id, secret) = await gateway.CreateKeyAsync(session, ["asst_a"]);
        var askedWhenCreated = backends.Seen("chat-service").Count;

        using var bearer = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/assistants/asst_a", secret));
        using var header = GatewayHost.Request(HttpMethod.Get, "/v1/assistants/asst_a");
        header.Headers.Add("X-API-Key", secret);
        using var viaHeader = await gateway.Client.SendAsync(header);

        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);
        foreach (var seen in backends.Seen("chat-service").Skip(askedWhenCreated))
        {
            Assert.False(seen.Headers.ContainsKey("X-API-Key"));
            var caller = GatewayHost.ReadForwardedIdentity(seen);
            Assert.Equal(session.UserId, caller.UserId);
            Assert.Equal(id, caller.KeyId);
            Assert.Equal(["asst_a"], caller.Assistants);
        }
        Assert.Equal(2, backends.Seen("chat-service").Count - askedWhenCreated);
    }

    [Fact]
    public async Task AKeyIsScopedOnlyToAssistantsChatServiceSaysAreTheUsersOwn()
    {
        await using var backends = await Backends.StartAsync((service, context) =>
        {
            context.Response.StatusCode = context.Request.Path == "/v1/assistants/asst_mine" ? 200 : 404;
            return context.Response.WriteAsJsonAsync(new { service });
        });
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();

        using var foreign = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/api/keys", session.AccessToken,
            new { name = "stolen", assistants = new[] { "asst_mine", "asst_theirs" } }));
        var problem = await foreign.Content.ReadFromJsonAsync<JsonElement>();
        var (_, secret) = await gateway.CreateKeyAsync(session, ["asst_mine"]);
        using var list = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/keys", session.AccessToken));
        var keys = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("assistant_not_found", problem.GetProperty("code").GetString());
        Assert.Contains("asst_theirs", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("sk-", secret, StringComparison.Ordinal);
        Assert.Equal(["asst_mine"], Assert.Single(keys.EnumerateArray()).GetProperty("assistants").EnumerateArray().Select(a => a.GetString()));
        // chat-service was asked as the user's own session, never as a key.
        Assert.All(backends.Seen("chat-service"), seen =>
        {
            var caller = GatewayHost.ReadForwardedIdentity(seen);
            Assert.Equal(session.UserId, caller.UserId);
            Assert.Null(caller.KeyId);
        });
    }

    [Fact]
    public async Task AKeyForAssistantsIsRefusedWith503WhenChatServiceCannotConfirmThemAndNoneIsMade()
    {
        await using var gateway = GatewayHost.Start(new Dictionary<string, Uri>());
        var session = await gateway.SignUpAsync();

        using var refused = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/api/keys", session.AccessToken,
            new { name = "scoped", assistants = new[] { "asst_a" } }));
        using var list = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/keys", session.AccessToken));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(0, (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("GET", "/v1/assistants/asst_b", null)]
    [InlineData("GET", "/api/assistants/asst_b/knowledge", null)]
    [InlineData("PUT", "/api/intents/asst_b", "{}")]
    [InlineData("GET", "/api/documents?assistant_id=asst_b", null)]
    [InlineData("POST", "/v1/chat/completions", """{"model":"asst_b","messages":[]}""")]
    [InlineData("POST", "/api/documents/search", """{"assistant_id":"asst_b","query":"x"}""")]
    public async Task AKeyForAssistantACannotTouchAssistantB(string method, string path, string? json)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (_, secret) = await gateway.CreateKeyAsync(session, ["asst_a"]);
        var askedWhenCreated = GatewayHost.ServiceNames.Sum(s => backends.Seen(s).Count);

        using var request = GatewayHost.Request(new HttpMethod(method), path, secret);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }
        using var response = await gateway.Client.SendAsync(request);
        using var allowed = GatewayHost.Request(new HttpMethod(method), path.Replace("asst_b", "asst_a", StringComparison.Ordinal), secret);
        if (json is not null)
        {
            allowed.Content = new StringContent(json.Replace("asst_b", "asst_a", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        }
        using var allowedResponse = await gateway.Client.SendAsync(allowed);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowedResponse.StatusCode);
        Assert.Equal(1, GatewayHost.ServiceNames.Sum(s => backends.Seen(s).Count) - askedWhenCreated);
    }

    [Fact]
    public async Task AKeyCannotManageKeysOrReadTheAccount()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (_, secret) = await gateway.CreateKeyAsync(session);

        using var create = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/api/keys", secret, new { name = "escalate" }));
        using var list = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/keys", secret));

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }

    [Fact]
    public async Task OneUserCannotRevokeAnotherUsersKey()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var owner = await gateway.SignUpAsync();
        var other = await gateway.SignUpAsync();
        var (id, secret) = await gateway.CreateKeyAsync(owner);

        using var revoke = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Delete, $"/api/keys/{id}", other.AccessToken));
        using var stillWorks = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", secret));

        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
    }

    [Fact]
    public async Task AKeyOverItsRpmGets429WithRetryAfterAndRateLimitHeaders()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (_, secret) = await gateway.CreateKeyAsync(session, rpm: 3);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", secret)));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.Equal(["2", "1", "0"], answers.Take(3).Select(a => a.Headers.GetValues("RateLimit-Remaining").Single()));
        var rejected = answers[3];
        // A burst frees room up to 61 s later; the hint stays below the minute OpenAI's SDKs honour.
        Assert.InRange(rejected.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(59));
        var error = await rejected.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rate_limit_exceeded", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal($"API key request limit of 3 per minute reached; retry after {rejected.Headers.RetryAfter.Delta.Value.TotalSeconds} s.",
            error.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(3, backends.Seen("chat-service").Count);
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task CreatingAKeyValidatesItsScopeAndLimits()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();

        using var empty = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/api/keys", session.AccessToken,
            new { name = "k", assistants = Array.Empty<string>() }));
        using var negative = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/api/keys", session.AccessToken,
            new { name = "k", rpm = -1 }));
        using var forgedLine = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/api/keys", session.AccessToken,
            new { name = "ci\r\nkey revoked by admin" }));
        var forgedProblem = await forgedLine.Content.ReadFromJsonAsync<JsonElement>();
        using var listed = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/keys", session.AccessToken));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forgedLine.StatusCode);
        Assert.True(forgedProblem.GetProperty("errors").TryGetProperty("name", out _), "the problem names the name field");
        Assert.Empty((await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task AnAccountHoldingItsKeyLimitIsRefusedAnotherUntilItRevokesOne()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses, new Dictionary<string, string> { ["Auth:MaxKeysPerUser"] = "2" });
        var session = await gateway.SignUpAsync();
        async Task<HttpResponseMessage> CreateAsync(string name) =>
            await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Post, "/api/keys", session.AccessToken, new { name }));
        using var first = await CreateAsync("first");
        using var second = await CreateAsync("second");
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var third = await CreateAsync("third");
        var problem = await third.Content.ReadFromJsonAsync<JsonElement>();
        using var revoked = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Delete, $"/api/keys/{firstId}", session.AccessToken));
        using var thirdAgain = await CreateAsync("third");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.Equal("key_limit_reached", problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Created, thirdAgain.StatusCode);
    }
}
