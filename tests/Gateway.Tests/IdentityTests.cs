using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;

namespace Gateway.Tests;

/// <summary>The identity a service trusts comes from the gateway alone; checked against the real chat-service process.</summary>
public sealed class IdentityTests
{
    [Fact]
    public async Task AForgedIdentitySentStraightToAServiceIsRefused()
    {
        await using var chat = await RealServiceProcess.StartAsync("ChatService", "chatdb");
        using var client = new HttpClient { BaseAddress = chat.Url };
        var otherKey = new CallerTokenCodec(
            Options.Create(new IdentityOptions { SigningKey = "an-attackers-own-key-0123456789abcdef0123" }), TimeProvider.System);
        var genuine = TestIdentity.Token("usr_victim");
        var parts = genuine.Split('.');
        var tampered = $"{parts[0]}.{parts[1]}x.{parts[2]}";

        async Task<HttpStatusCode> SendAsync(string? identity)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
            if (identity is not null)
            {
                request.Headers.Add(CallerTokenCodec.HeaderName, identity);
            }
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(otherKey.Issue(new CallerIdentity("usr_victim"))));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(tampered));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("""{"sub":"usr_victim"}"""));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(genuine));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(null));
    }

    [Fact]
    public async Task ACallerTokenSentToTheGatewayIsDroppedUnreadAndNeverReachesAService()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var genuine = TestIdentity.Token("usr_victim");
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/v1/assistants");
        anonymous.Headers.Add(CallerTokenCodec.HeaderName, "forged");
        using var replayed = new HttpRequestMessage(HttpMethod.Get, "/v1/assistants");
        replayed.Headers.Add(CallerTokenCodec.HeaderName, genuine);
        using var plain = new HttpRequestMessage(HttpMethod.Get, "/v1/assistants");

        using var forgedAnswer = await gateway.Client.SendAsync(anonymous);
        using var replayedAnswer = await gateway.Client.SendAsync(replayed);
        using var plainAnswer = await gateway.Client.SendAsync(plain);

        // Each is just an anonymous request: the same 401 as with no header at all, naming nothing internal.
        var expected = await plainAnswer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, plainAnswer.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, expected), (forgedAnswer.StatusCode, await forgedAnswer.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.Unauthorized, expected), (replayedAnswer.StatusCode, await replayedAnswer.Content.ReadAsStringAsync()));
        Assert.DoesNotContain("identity", expected, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(backends.Seen("chat-service"));
    }

    [Fact]
    public async Task TheGatewayRoutesToTheRealChatServiceWhichAcceptsTheIdentityItVouchesFor()
    {
        await using var chat = await RealServiceProcess.StartAsync("ChatService", "chatdb");
        await using var gateway = GatewayHost.Start(new Dictionary<string, Uri> { ["chat-service"] = chat.Url });
        var session = await gateway.SignUpAsync();

        using var proxied = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", session.AccessToken));
        using var forged = GatewayHost.Request(HttpMethod.Get, "/v1/models", session.AccessToken);
        forged.Headers.Add(CallerTokenCodec.HeaderName, "v1.forged.identity");
        using var forgedAnswer = await gateway.Client.SendAsync(forged);
        var document = await gateway.Client.GetFromJsonAsync<JsonElement>(new Uri("/docs/chat-service/openapi.json", UriKind.Relative));

        // The service answered, and its identity check let the vouched caller in; a token the client made up was
        // dropped at the edge, so the service saw the gateway's own.
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forgedAnswer.StatusCode);
        Assert.True(document.TryGetProperty("openapi", out _));
    }
}
