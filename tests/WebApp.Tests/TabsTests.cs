using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EndToEnd.Tests;
using Microsoft.Playwright;
using static WebApp.Tests.Steps;

namespace WebApp.Tests;

/// <summary>Two tabs of one browser share one session (localStorage): neither may undo what the other did.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TabsTests(Platform platform, Browser browser) : IClassFixture<Browser>
{
    /// <summary>An API call through the page's own client, answering the signed-in email or the error's words.</summary>
    private const string WhoAmI = "async () => (await import('/js/api.js')).api('/auth/me').then(user => user.email, error => error.message)";

    private const string StoredRefreshToken = "() => JSON.parse(localStorage.getItem('chatbot.session')).refresh";

    [Fact]
    public async Task TwoTabsWhoseAccessTokenRunsOutTogetherRefreshItOnceEachTimeAndBothStaySignedIn()
    {
        var (first, second, email) = await SignedInInTwoTabsAsync("Olga");
        var refreshes = 0;
        first.Context.Request += (_, request) => refreshes += request.Url.EndsWith("/auth/refresh", StringComparison.Ordinal) ? 1 : 0;

        // Both tabs hold the same pair; twenty minutes on, its access token (fifteen minutes) has run out in both. A few
        // rounds, as a day of use has them: the tabs run in their own processes and meet in a different order each time.
        for (var round = 1; round <= 3; round++)
        {
            await first.Context.Clock.SetSystemTimeAsync(DateTime.UtcNow.AddMinutes(20 * round));
            var answers = await Task.WhenAll(first.EvaluateAsync<string>(WhoAmI), second.EvaluateAsync<string>(WhoAmI));

            Assert.Equal([email, email], answers);
            Assert.Equal(round, refreshes);
        }
        await Assertions.Expect(first.Locator(".account")).ToContainTextAsync(email);
        await Assertions.Expect(second.Locator(".account")).ToContainTextAsync(email);
        // The pair both tabs now hold is alive: the gateway saw no reuse, so it revoked nothing.
        using var http = platform.Anonymous();
        using var refreshed = await http.PostAsJsonAsync("/auth/refresh", new { refresh_token = await second.EvaluateAsync<string>(StoredRefreshToken) });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task SigningOutInOneTabEndsTheSessionAtTheGatewayAndInTheOtherTabAndSigningInAgainReachesBoth()
    {
        var (first, second, email) = await SignedInInTwoTabsAsync("Pia");
        var held = await first.EvaluateAsync<string>(StoredRefreshToken);

        var logout = first.WaitForResponseAsync(r => r.Url.EndsWith("/auth/logout", StringComparison.Ordinal) && r.Request.Method == "POST");
        await first.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();

        var ended = await logout;
        Assert.Equal(held, JsonDocument.Parse(ended.Request.PostData!).RootElement.GetProperty("refresh_token").GetString());
        Assert.Equal((int)HttpStatusCode.NoContent, ended.Status);
        await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        await Assertions.Expect(second.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        // The session is over at the gateway too: a copy of its refresh token left anywhere renews nothing.
        using var http = platform.Anonymous();
        using var refreshed = await http.PostAsJsonAsync("/auth/refresh", new { refresh_token = held });
        Assert.Equal(HttpStatusCode.Unauthorized, refreshed.StatusCode);

        await second.GetByLabel("Email").FillAsync(email);
        await second.GetByLabel("Password").FillAsync(Password);
        await second.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(second.Locator(".account")).ToContainTextAsync(email);
        await Assertions.Expect(first.Locator(".account")).ToContainTextAsync(email);
        Assert.Equal(email, await first.EvaluateAsync<string>(WhoAmI));
    }

    /// <summary>A new user, signed in in two tabs of one browser context (so they share localStorage).</summary>
    private async Task<(IPage First, IPage Second, string Email)> SignedInInTwoTabsAsync(string name)
    {
        var first = await browser.NewPageAsync(platform.Gateway);
        var email = await RegisterAsync(first, name);
        var second = await first.Context.NewPageAsync();
        await second.GotoAsync("/chat");
        await Assertions.Expect(second.Locator(".account")).ToContainTextAsync(email);
        return (first, second, email);
    }
}
