using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

/// <summary>
/// Guessing passwords, keys or tokens is as slow as any anonymous request from the guesser's address, whatever
/// credential comes with the guesses, and wrong passwords for one account stop after a few from any address. A session's
/// own tokens that expired are no guesses: clients meet them all the time and refresh.
/// </summary>
public sealed class GuessingLimitTests
{
    private const string JwtKey = "guessing-tests-jwt-key-0123456789abcdef012345";

    private static GatewayHost StartGateway(Backends backends, int anonymousPerMinute = 1000, int loginFailures = 1000) =>
        GatewayHost.Start(backends.Addresses, new Dictionary<string, string>
        {
            ["Auth:JwtSigningKey"] = JwtKey,
            ["Limits:AnonymousPerIpPerMinute"] = anonymousPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits:LoginFailuresPerAccount"] = loginFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    [Fact]
    public async Task AnAttackersOwnAccessTokenDoesNotLiftTheLoginLimitOfItsAddress()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends, anonymousPerMinute: 4);
        // Registering and logging in take two of the address's four.
        var attacker = await gateway.SignUpAsync();

        var statuses = new List<HttpStatusCode>();
        // However routing lets the route be spelt.
        string[] spellings = ["/auth/login", "/AUTH/Login/", "/auth/login"];
        for (var guess = 0; guess < 3; guess++)
        {
            using var login = GatewayHost.Request(HttpMethod.Post, spellings[guess], attacker.AccessToken,
                new { email = "victim@example.com", password = $"guess number {guess}" });
            using var answer = await gateway.Client.SendAsync(login);
            statuses.Add(answer.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task RequestsWithKeysNobodyHoldsCountAgainstTheAddressAndArePastItRefusedWith429()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends, anonymousPerMinute: 3);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var guess = 0; guess < 4; guess++)
        {
            last?.Dispose();
            last = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", $"sk-guess-{guess}"));
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(last!.Headers.RetryAfter);
        Assert.Equal("rate_limit_exceeded", (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(backends.Seen("chat-service"));
        last.Dispose();
    }

    [Fact]
    public async Task TokensNotSignedHereCountAsGuessesButTheGatewaysOwnExpiredTokensDoNot()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends, anonymousPerMinute: 2);

        var expired = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var answer = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", Mint(JwtKey, DateTime.UtcNow.AddMinutes(-1 - i))));
            expired.Add(answer.StatusCode);
        }
        var forged = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var answer = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models",
                Mint("another-key-0123456789abcdef0123456789abcdef", DateTime.UtcNow.AddMinutes(10 + i))));
            forged.Add(answer.StatusCode);
        }

        Assert.All(expired, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], forged);
    }

    [Fact]
    public async Task WrongPasswordsForOneAccountStopAfterTheLimitWhileItsOwnersRightOnesNeverCount()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = StartGateway(backends, loginFailures: 3);
        var owner = await gateway.SignUpAsync();
        var bystander = await gateway.SignUpAsync();

        var rightOnes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var answer = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = owner.Email, password = owner.Password });
            rightOnes.Add(answer.StatusCode);
        }
        var wrongOnes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var answer = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = owner.Email.ToUpperInvariant(), password = $"not it {i}" });
            wrongOnes.Add(answer.StatusCode);
        }
        using var locked = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = owner.Email, password = owner.Password });
        using var other = await gateway.Client.PostAsJsonAsync("/auth/login", new { email = bystander.Email, password = bystander.Password });

        Assert.All(rightOnes, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(wrongOnes, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal("too_many_login_failures", (await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private static string Mint(string key, DateTime expires) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
        new SecurityTokenDescriptor
        {
            Issuer = "chatbot-gateway",
            Audience = "chatbot",
            IssuedAt = expires.AddMinutes(-15),
            NotBefore = expires.AddMinutes(-15),
            Expires = expires,
            Subject = new ClaimsIdentity([new Claim("sub", "usr_minted")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
}
