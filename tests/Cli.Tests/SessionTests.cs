using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cli;
using Cli.Gateway;

namespace Cli.Tests;

/// <summary>The stored session shared by commands run at once, and ending it on the gateway.</summary>
[Collection(PlatformCollection.Name)]
public sealed class SessionTests(Platform platform) : IDisposable
{
    private readonly Chatbot _chatbot = new(platform);

    [Fact]
    public async Task CommandsRunAtOnceWithASessionDueForRefreshAllAnswerAndTheSessionSurvives()
    {
        await _chatbot.LoginAsNewUserAsync("kai");
        _chatbot.Clock.Advance(TimeSpan.FromDays(1));

        // Each run has its own connection and handler over the one credentials file, as separate processes would.
        var together = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => _chatbot.RunAsync("whoami"))));
        var afterwards = await _chatbot.RunAsync("whoami");

        Assert.All(together, outcome => Assert.True(outcome.ExitCode == 0, outcome.ToString()));
        Assert.True(afterwards.ExitCode == 0, afterwards.ToString());
    }

    [Fact]
    public async Task LogoutEndsTheSessionOnTheGatewaySoItsRefreshTokenIsRefusedAfterwards()
    {
        await _chatbot.LoginAsNewUserAsync("lou");
        var refreshToken = JsonDocument.Parse(File.ReadAllText(_chatbot.CredentialsFile)).RootElement
            .GetProperty(platform.Gateway.GetLeftPart(UriPartial.Authority)).GetProperty("refresh_token").GetString();

        var logout = await _chatbot.RunAsync("logout");
        using var anonymous = platform.Anonymous();
        using var refresh = await anonymous.PostAsJsonAsync("/auth/refresh", new { refresh_token = refreshToken });

        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Equal($"Logged out of {platform.Gateway}.", logout.Error.Trim());
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task LogoutWithTheGatewayDownStillForgetsTheSessionAndSaysSo()
    {
        var gateway = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        TokenStore.ForUser(name => _chatbot[name]).Save(gateway, new StoredSession("access", "refresh", DateTimeOffset.UtcNow.AddHours(1)));

        var logout = await _chatbot.RunAsync("logout", "--url", gateway.ToString());
        var afterwards = await _chatbot.RunAsync("logout", "--url", gateway.ToString());

        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Contains($"Logged out of {gateway} on this machine; the gateway could not be reached to end the session there", logout.Error, StringComparison.Ordinal);
        Assert.Equal($"Not logged in to {gateway}.", afterwards.Error.Trim());
    }

    public void Dispose() => _chatbot.Dispose();
}
