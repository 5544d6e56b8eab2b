using System.Text.Json;
using EndToEnd.Tests;
using Microsoft.Playwright;
using static WebApp.Tests.Steps;

namespace WebApp.Tests;

/// <summary>Smaller things the page shows: answers' links, conversations' assistants, and the API documentation.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PageDetailsTests(Platform platform, Browser browser) : IClassFixture<Browser>
{
    /// <summary>Renders Markdown with the page's own renderer into a detached element and reports what came out.</summary>
    private const string Render = """
        async source => {
          const box = document.createElement('div');
          box.innerHTML = (await import('/js/markdown.js')).renderMarkdown(source);
          return JSON.stringify({
            links: [...box.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.innerHTML]),
            code: [...box.querySelectorAll('code')].map(c => c.innerHTML),
            emphasis: [...box.querySelectorAll('em')].map(e => e.textContent),
            handlers: box.querySelectorAll('[onclick], [onerror], [onmouseover]').length,
          });
        }
        """;

    private sealed record Rendered(string[][] Links, string[] Code, string[] Emphasis, int Handlers);

    private static async Task<Rendered> RenderAsync(IPage page, string markdown) =>
        JsonSerializer.Deserialize<Rendered>(await page.EvaluateAsync<string>(Render, markdown), JsonSerializerOptions.Web)!;

    [Fact]
    public async Task ALinksAddressAndInlineCodeKeepTheirUnderscoresAndStarsWhileWordsAroundThemAreEmphasised()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await page.GotoAsync("/login");

        var rendered = await RenderAsync(page,
            "See [the _private_ docs](https://example.com/_private_/x*y*z) or `a_b_ c*d*`, _really_.");

        Assert.Equal(["https://example.com/_private_/x*y*z", "the <em>private</em> docs"], Assert.Single(rendered.Links));
        Assert.Equal(["a_b_ c*d*"], rendered.Code);
        Assert.Equal(["private", "really"], rendered.Emphasis);
    }

    [Fact]
    public async Task ALinkOrCodeSpanStillCannotCarryMarkupOrScript()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await page.GotoAsync("/login");

        var rendered = await RenderAsync(page,
            "[run](javascript:alert(1)) [quote](https://example.com/\"onmouseover=\"x) [`<img src=x onerror=alert(1)>`](https://example.com/_a_) `[in](https://example.com/) _code_` \u0000" + "0\u0000");

        Assert.Equal(2, rendered.Links.Length);
        Assert.Equal("https://example.com/\"onmouseover=\"x", rendered.Links[0][0]);
        Assert.Equal(["https://example.com/_a_", "<code>&lt;img src=x onerror=alert(1)&gt;</code>"], rendered.Links[1]);
        Assert.Equal(["&lt;img src=x onerror=alert(1)&gt;", "[in](https://example.com/) _code_"], rendered.Code);
        Assert.Empty(rendered.Emphasis);
        Assert.Equal(0, rendered.Handlers);
    }

    [Fact]
    public async Task AConversationMadeWithoutTheChatPageNamesNoAssistantAndOnlyAGoneAssistantIsCalledDeleted()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Quinn");
        var kept = await CreateAssistantAsync(page, "Keeper");
        var gone = await CreateAssistantAsync(page, "Gone");
        // As the CLI or an SDK makes them: no assistant in the thread's metadata, or one that was deleted since.
        await page.EvaluateAsync("""
            async ([kept, gone]) => {
              const { api } = await import('/js/api.js');
              const thread = metadata => api('/v1/threads', { method: 'POST', json: { metadata } });
              await thread({ title: 'From the CLI' });
              await thread({ title: 'With a gone assistant', assistant_id: gone });
              await thread({ title: 'With a kept assistant', assistant_id: kept });
              await api(`/v1/assistants/${gone}`, { method: 'DELETE' });
            }
            """, new[] { kept, gone });

        await page.GotoAsync("/chat");

        var threads = page.Locator(".thread-list li");
        await Assertions.Expect(threads.Filter(new() { HasText = "From the CLI" }).Locator("small")).ToContainTextAsync("No assistant ·");
        await Assertions.Expect(threads.Filter(new() { HasText = "With a gone assistant" }).Locator("small")).ToContainTextAsync("Deleted assistant ·");
        await Assertions.Expect(threads.Filter(new() { HasText = "With a kept assistant" }).Locator("small")).ToContainTextAsync("Keeper ·");
    }

    [Fact]
    public async Task TheApiDocumentationRendersUnderItsContentSecurityPolicy()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                refused.Add(message.Text);
            }
        };

        var response = await page.GotoAsync("/docs");

        Assert.Contains("frame-ancestors 'none'", (await response!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".swagger-ui .opblock").First).ToBeVisibleAsync();
        await page.Locator(".swagger-ui .opblock-summary").First.ClickAsync();
        await Assertions.Expect(page.Locator(".swagger-ui .opblock-body").First).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "11-docs");
        Assert.Empty(refused);
    }
}
