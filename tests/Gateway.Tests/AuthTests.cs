using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

public sealed class AuthTests
{
    private const string JwtKey = "auth-tests-jwt-key-0123456789abcdef0123456789";

    private static GatewayHost StartGateway(Backends backends, int anonymousPerMinute = 1000) =>
        GatewayHost.Start(backends.Addresses, new Dictionary<string, string>
        {
            ["Auth:JwtSigningKey"] = JwtKey,
            ["Limits:AnonymousPerIpPerMinute"] = anonymousPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    [Fact]
    public async Task RegisterLoginAndMeReturnTheAccountWithoutItsPassword()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync("Ada.Lovelace@Example.com");

        using var me = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", session.AccessToken));

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = await me.Content.ReadAsStringAsync();
        var user = JsonDocument.Parse(body).RootElement;
        Assert.Equal(session.UserId, user.GetProperty("id").GetString());
        Assert.StartsWith("usr_", session.UserId, StringComparison.Ordinal);
        Assert.Equal("ada.lovelace@example.com", user.GetProperty("email").GetString());
        Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("not-an-email", "correct horse battery 42", "email")]
    [InlineData("someone@localhost", "correct horse battery 42", "email")]
    [InlineData("ali\u200Bce@example.com", "correct horse battery 42", "email")]
    [InlineData("bob@example.com", "short1", "password")]
    [InlineData("bob@example.com", "aaaaaaaaaaaaaaaa", "password")]
    [InlineData("bob@example.com", "bob-is-the-password", "password")]
    public async Task RegisterRefusesBadEmailsAndWeakPasswordsWithAValidationProblem(string email, string password, string field)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);

        using var response = await gateway.Client.PostAsJsonAsync("/auth/register", new { name = "Bob", email, password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names the {field} field");
    }

    [Theory]
    [InlineData("Bob\nAdmin logged in", HttpStatusCode.BadRequest)]
    [InlineData("\u001b[2JBob", HttpStatusCode.BadRequest)]
    [InlineData("Bob\u202Egnp.exe", HttpStatusCode.BadRequest)]
    [InlineData("Zoë 👩‍👩‍👧 Σοφία", HttpStatusCode.Created)]
    public async Task ANameWithAControlCharacterOrABidiOverrideIsRefusedWhileAnyScriptAndEmojiAreTaken(string name, HttpStatusCode expected)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);

        using var response = await gateway.Client.PostAsJsonAsync("/auth/register",
            new { name, email = $"named-{Guid.NewGuid():N}@example.com", password = "correct horse battery 42" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.True(body.GetProperty("errors").TryGetProperty("name", out _), "the problem names the name field");
        }
    }

    [Fact]
    public async Task AnEmailWrittenInFullwidthLettersIsTheSameAccountAsItsPlainForm()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var dave = await gateway.SignUpAsync("dave@example.com");

        using var again = await gateway.Client.PostAsJsonAsync("/auth/register",
            new { name = "Dave", email = "\uFF44ave@example.com", password = "another good password 7" });
        using var login = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = "\uFF44ave@example.com", password = dave.Password });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task RegisteringAnEmailTwiceIsAConflictWhateverItsCase()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        await gateway.SignUpAsync("carol@example.com");

        using var again = await gateway.Client.PostAsJsonAsync("/auth/register",
            new { name = "Carol", email = "CAROL@example.com", password = "another good password 7" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task LoginWithAWrongPasswordOrUnknownEmailIsRefused()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync();

        using var wrong = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = session.Email, password = "not the password 1" });
        using var unknown = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = "nobody@example.com", password = session.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    public static TheoryData<string> BadTokens()
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var now = DateTime.UtcNow;
        string Mint(string key, DateTime expires, string subject = "usr_forged") => handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "chatbot-gateway",
            Audience = "chatbot",
            IssuedAt = expires.AddMinutes(-15),
            NotBefore = expires.AddMinutes(-15),
            Expires = expires,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
        var valid = Mint(JwtKey, now.AddMinutes(10), "usr_real");
        var parts = valid.Split('.');
        var forgedPayload = Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(parts[1]).Replace("usr_real", "usr_admin", StringComparison.Ordinal));
        var unsigned = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "chatbot-gateway",
            Audience = "chatbot",
            Expires = now.AddMinutes(10),
            Subject = new ClaimsIdentity([new Claim("sub", "usr_real")]),
        });
        return new TheoryData<string>
        {
            Mint(JwtKey, now.AddMinutes(-1)),                                  // expired
            Mint("some-other-key-0123456789abcdef0123456789ab", now.AddMinutes(10)), // wrongly signed
            $"{parts[0]}.{forgedPayload}.{parts[2]}",                          // payload changed after signing
            unsigned,                                                          // alg none
            "not.a.jwt",
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ExpiredForgedAndWronglySignedTokensAreRefused(string token)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);

        using var me = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", token));
        using var proxied = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", token));

        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, proxied.StatusCode);
        Assert.Empty(backends.Seen("chat-service"));
    }

    [Fact]
    public async Task ATokenMintedWithTheRightKeyIsAccepted()
    {
        // The counterpart of the refusals above: the same minting with the gateway's key passes, so they fail for their flaw.
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "chatbot-gateway",
            Audience = "chatbot",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Subject = new ClaimsIdentity([new Claim("sub", "usr_minted")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(JwtKey)), SecurityAlgorithms.HmacSha256),
        });

        using var proxied = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", token));

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("usr_minted", GatewayHost.ReadForwardedIdentity(Assert.Single(backends.Seen("chat-service"))).UserId);
    }

    [Fact]
    public async Task TokensAreCheckedByJwtBearerWithoutTheFrameworksAuthenticationMiddlewareInFrontOfEveryRequest()
    {
        // WebApplication puts ASP.NET Core's authentication middleware (a DI scope and a scheme lookup) in front of every
        // request whenever a scheme provider is registered; the gateway runs JwtBearer's handler itself, only for a token.
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync();

        using var proxied = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", session.AccessToken));

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Null(gateway.Factory.Services.GetService<IAuthenticationSchemeProvider>());
    }

    [Fact]
    public async Task RefreshRotatesTheTokenAndReusingAnOldOneRevokesTheWholeFamily()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync();

        using var first = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = session.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = await first.Content.ReadFromJsonAsync<JsonElement>();
        var second = rotated.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(session.RefreshToken, second);
        using (var me = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", rotated.GetProperty("access_token").GetString())))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using var reuse = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = session.RefreshToken });
        using var afterReuse = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = second });

        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReuse.StatusCode);

        // Another login starts a new family, untouched by the revoked one.
        var login = await gateway.LoginAsync(session.Email, session.Password);
        using var fresh = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = login.GetProperty("refresh_token").GetString() });
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task AnUnknownRefreshTokenIsRefused()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);

        using var response = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = "rt_made_up" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task LogoutRevokesTheTokensWholeFamilySoNeitherItNorItsSuccessorRefreshes()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync();
        using var first = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = session.RefreshToken });
        var rotated = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString();

        using var logout = await gateway.Client.PostAsJsonAsync("/auth/logout", new { refresh_token = rotated });
        using var refresh = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = rotated });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task AnAccessTokenIsRefusedOnceItsSessionIsLoggedOutAlthoughItHasNotExpired()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync();
        var other = await gateway.LoginAsync(session.Email, session.Password);

        using var before = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", session.AccessToken));
        using var logout = await gateway.Client.PostAsJsonAsync("/auth/logout", new { refresh_token = session.RefreshToken });
        using var after = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", session.AccessToken));
        using var otherLogin = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", other.GetProperty("access_token").GetString()!));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("invalid_api_key", (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        // Another login of the same account is another session, and goes on.
        Assert.Equal(HttpStatusCode.OK, otherLogin.StatusCode);
    }

    [Fact]
    public async Task AnotherGatewayOnTheSameDatabaseRefusesTheAccessTokenOfASessionLoggedOutOnTheFirst()
    {
        await using var backends = await Backends.StartAsync();
        await using var first = StartGateway(backends);
        var session = await first.SignUpAsync();
        await using var second = GatewayHost.Start(backends.Addresses, new Dictionary<string, string> { ["Auth:JwtSigningKey"] = JwtKey },
            first.Factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("gatewaydb"));

        using var logout = await first.Client.PostAsJsonAsync("/auth/logout", new { refresh_token = session.RefreshToken });
        using var after = await second.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", session.AccessToken));

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task TheAccessTokensOfASessionRevokedForARefreshTokenReuseAreRefused()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync();
        using var rotated = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = session.RefreshToken });
        var access = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        using var before = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", access));

        // The used refresh token comes back: it leaked, and the whole session is revoked.
        using var reuse = await gateway.Client.PostAsJsonAsync("/auth/refresh", new { refresh_token = session.RefreshToken });
        using var after = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/auth/me", access));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task LogoutOfAnUnknownOrAlreadyEndedSessionIsNoContentAsWell()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);
        var session = await gateway.SignUpAsync();

        using var once = await gateway.Client.PostAsJsonAsync("/auth/logout", new { refresh_token = session.RefreshToken });
        using var twice = await gateway.Client.PostAsJsonAsync("/auth/logout", new { refresh_token = session.RefreshToken });
        using var unknown = await gateway.Client.PostAsJsonAsync("/auth/logout", new { refresh_token = "rt_made_up" });

        Assert.Equal(HttpStatusCode.NoContent, once.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, twice.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, unknown.StatusCode);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"refresh_token":""}""")]
    public async Task LogoutWithoutARefreshTokenIsAValidationProblemNamingTheField(string body)
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends);

        using var response = await gateway.Client.PostAsync("/auth/logout", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("refresh_token", out _), "the problem names the refresh_token field");
    }

    [Fact]
    public async Task LoginAttemptsFromOneIpAreLimitedWithRetryAfterAndRateLimitHeaders()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends, anonymousPerMinute: 3);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = "guess@example.com", password = $"guess number {i}" });
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        // A cost is held for the window (60 s) plus at most one of its 1 s buckets, so a burst frees room after 60-61 s;
        // the hint stays below a minute, the longest OpenAI's SDKs wait as told.
        Assert.InRange(int.Parse(last!.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture), 1, 59);
        Assert.InRange(int.Parse(last.Headers.GetValues("RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture), 59, 61);
        Assert.Equal("3", last.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", last.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.True(last.Headers.Contains("RateLimit-Reset"));
        last.Dispose();
    }
}
