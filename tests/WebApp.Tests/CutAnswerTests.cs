using System.Text;
using System.Text.Json.Nodes;
using EndToEnd.Tests;
using Microsoft.Playwright;
using static WebApp.Tests.Steps;

namespace WebApp.Tests;

/// <summary>An answer the platform cuts at its token cap is shown as cut, not as whole and not as stopped by the user.</summary>
[Collection(PlatformCollection.Name)]
public sealed class CutAnswerTests(Platform platform, Browser browser) : IClassFixture<Browser>
{
    private const string CutNote = "The answer was cut short: it reached its length limit.";

    [Fact]
    public async Task AnAnswerCutAtItsTokenCapSaysSoWhileItStreamsAndWhenTheConversationIsOpenedAgain()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Hal");
        await CreateAssistantAsync(page, "Terse");
        await GiveDocumentAsync(page, "policy.txt", "Vacation policy. Every full-time employee receives 25 vacation days per year.");
        // The page sets no maximum of its own: its run request gets one on the way, so the platform cuts the real stream there.
        await page.RouteAsync("**/v1/threads/*/runs", async route =>
        {
            var body = JsonNode.Parse(route.Request.PostData!)!.AsObject();
            body["max_completion_tokens"] = 6;
            await route.ContinueAsync(new() { PostData = Encoding.UTF8.GetBytes(body.ToJsonString()) });
        });

        await page.GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();
        await AskAsync(page, "How many vacation days do employees get per year?");
        var answer = page.Locator(".msg-assistant").Last;
        await Assertions.Expect(answer.Locator(".note")).ToHaveTextAsync(CutNote);
        await Assertions.Expect(answer.Locator(".body")).ToContainTextAsync("From my documents");
        // A whole answer ends with the name of the document it quotes.
        Assert.DoesNotContain("policy.txt", await answer.Locator(".body").InnerTextAsync(), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "10-cut-answer");

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".msg-assistant")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".msg-assistant .note")).ToHaveTextAsync(CutNote);
    }
}
