using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EndToEnd.Tests;
using Microsoft.Playwright;
using static WebApp.Tests.Steps;

namespace WebApp.Tests;

/// <summary>The web app in a real browser against the whole platform, through the gateway only, with no model configured.</summary>
[Collection(PlatformCollection.Name)]
public sealed class WebAppTests(Platform platform, Browser browser) : IClassFixture<Browser>
{
    private const string Handbook = """
        Vacation policy. Every full-time employee receives 25 vacation days per year. Unused days carry over until March.

        Expenses. Travel expenses are reimbursed within 14 days when the receipt is uploaded to the finance portal.
        """;

    [Fact]
    public async Task ANewUserRegistersMakesAnAssistantUploadsAskAndSeesAStreamedCitedAnswerThatIsStillThereAfterAReload()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Ana");

        await CreateAssistantAsync(page, "HR helper");
        await Browser.ScreenshotAsync(page, "02-assistants");

        await page.GetByRole(AriaRole.Link, new() { Name = "Documents" }).ClickAsync();
        await DropFilesAsync(page, ("handbook.txt", Handbook), ("canteen.md", "# Canteen\n\nThe canteen opens at 11:30 and closes at 14:00."), ("notes.txt", ""));
        await Assertions.Expect(page.Locator(".upload.failed", new() { HasText = "notes.txt" })).ToContainTextAsync("'notes.txt' is empty.");
        var handbookUpload = page.Locator(".upload", new() { HasText = "handbook.txt" });
        await Assertions.Expect(handbookUpload).ToContainTextAsync("Ready");
        Assert.Equal(1, await handbookUpload.Locator("progress").EvaluateAsync<double>("p => p.value"));
        await Assertions.Expect(page.Locator("table tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("canteen.md");
        await Browser.ScreenshotAsync(page, "03-documents");

        await page.GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();
        await WatchAnswerGrowthAsync(page);
        await AskAsync(page, "How many vacation days do employees get per year?");
        var answer = page.Locator(".msg-assistant").Last;
        await Assertions.Expect(answer.Locator(".body")).ToContainTextAsync("25 vacation days");
        var states = await page.EvaluateAsync<int>("() => window.__answerStates.size");
        Assert.True(states > 3, $"the answer should grow token by token; it was seen in {states} states");
        var source = answer.Locator(".source").First;
        await Assertions.Expect(source.Locator(".filename")).ToHaveTextAsync("handbook.txt");
        await Assertions.Expect(source.Locator(".passage")).ToContainTextAsync("25 vacation days per year");
        await source.GetByRole(AriaRole.Button, new() { Name = "Show passage" }).ClickAsync();
        await Assertions.Expect(source.Locator(".passage mark")).ToContainTextAsync("25 vacation days");
        await answer.GetByRole(AriaRole.Button, new() { Name = "Read aloud" }).ClickAsync();
        await Assertions.Expect(answer.Locator(".who .spoken")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "04-chat");

        var conversationUrl = page.Url;
        Assert.Matches("/chat/thread_", conversationUrl);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".thread-list a.active")).ToContainTextAsync("How many vacation days");
        await Assertions.Expect(page.Locator(".msg-user")).ToContainTextAsync("How many vacation days do employees get per year?");
        await Assertions.Expect(page.Locator(".msg-assistant .body")).ToContainTextAsync("25 vacation days");

        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(page.Locator(".sidebar")).Not.ToBeInViewportAsync();
        await Assertions.Expect(page.GetByLabel("Message")).ToBeInViewportAsync();
        await Browser.ScreenshotAsync(page, "05-chat-phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        await Assertions.Expect(page.Locator(".sidebar")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Browser.ScreenshotAsync(page, "05-chat-phone-menu");
    }

    [Fact]
    public async Task ADocumentIsReplacedDownloadedAndDeletedFromItsList()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Hana");
        await CreateAssistantAsync(page, "Librarian");
        await page.GetByRole(AriaRole.Link, new() { Name = "Documents" }).ClickAsync();
        await DropFilesAsync(page, ("handbook.txt", Handbook), ("canteen.md", "The canteen opens at 11:30."));
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);

        var chooser = await page.RunAndWaitForFileChooserAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Replace canteen.md" }).ClickAsync());
        const string replacement = "The canteen opens at 11:00 and closes at 15:00 from next week on, every working day.";
        await chooser.SetFilesAsync(new FilePayload { Name = "canteen.md", MimeType = "text/markdown", Buffer = System.Text.Encoding.UTF8.GetBytes(replacement) });
        var canteenRow = page.Locator("tbody tr", new() { HasText = "canteen.md" });
        await Assertions.Expect(canteenRow).ToContainTextAsync($"{replacement.Length} B");

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download canteen.md" }).ClickAsync());
        Assert.Equal("canteen.md", download.SuggestedFilename);
        using (var reader = new StreamReader((await download.CreateReadStreamAsync())!))
        {
            Assert.Equal(replacement, await reader.ReadToEndAsync());
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete canteen.md" }).ClickAsync();
        await page.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tbody")).Not.ToContainTextAsync("canteen.md");
    }

    [Fact]
    public async Task AKeyCreatedOnThePageIsShownOnceAndAnswersThroughTheApi()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Ben");
        var assistantId = await CreateAssistantAsync(page, "Channel bot");
        await GiveDocumentAsync(page, "handbook.txt", Handbook);

        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New key" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("WhatsApp bridge");
        await page.GetByLabel("Channel bot").CheckAsync();
        await page.GetByLabel("Requests per minute").FillAsync("60");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = await page.GetByLabel("API key").InputValueAsync();
        await Browser.ScreenshotAsync(page, "06-key-created");
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToContainTextAsync("WhatsApp bridge");
        await Assertions.Expect(page.Locator("tbody tr")).ToContainTextAsync("60 req/min");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "07-keys");

        using var client = platform.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId,
            messages = new[] { new { role = "user", content = "How many vacation days are there per year?" } },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("25 vacation days", JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke WhatsApp bridge" }).ClickAsync();
        await page.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No API keys")).ToBeVisibleAsync();
        using var revoked = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task EveryKeyIsShownOldestFirstHoweverManyPagesTheyFill()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Kim");
        // Made through the page's own session, as its API calls are: a hundred and one, one more than a page holds.
        await page.EvaluateAsync("""
            async () => {
              const { access } = JSON.parse(localStorage.getItem('chatbot.session'));
              for (let i = 0; i < 101; i++) {
                const made = await fetch('/api/keys', { method: 'POST', body: JSON.stringify({ name: `key ${i}` }),
                  headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' } });
                if (made.status !== 201) throw new Error(`key ${i}: ${made.status}`);
              }
            }
            """);

        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();

        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(101);
        await Assertions.Expect(page.Locator("tbody tr").First).ToContainTextAsync("key 0");
        await Assertions.Expect(page.Locator("tbody tr").Last).ToContainTextAsync("key 100");
    }

    [Fact]
    public async Task AQuestionSpokenWhileTheButtonIsHeldIsTranscribedAnsweredAndSpoken()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Eve");
        await CreateAssistantAsync(page, "Voice helper");
        await GiveDocumentAsync(page, "handbook.txt", Handbook);
        await page.GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();

        var mic = page.GetByRole(AriaRole.Button, new() { Name = "Hold to talk" });
        await mic.HoverAsync();
        await page.Mouse.DownAsync();
        await Assertions.Expect(mic).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("recording"));
        // As long as a person speaking holds it: the recording plays the whole question, then silence.
        await page.WaitForTimeoutAsync(4500);
        await page.Mouse.UpAsync();

        var question = page.Locator(".msg-user").Last;
        await Assertions.Expect(question.Locator(".badge")).ToHaveTextAsync("voice");
        // A synthetic voice through the browser's Opus encoder is heard only roughly (recognition is voice-service's
        // concern and tested there); here the words of the transcript must come back and be answered aloud.
        await Assertions.Expect(question.Locator(".body")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^how many\\b"));
        var answer = page.Locator(".msg-assistant").Last;
        await Assertions.Expect(answer.Locator(".body")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("\\w+"));
        await Assertions.Expect(answer).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("streaming"));
        await Assertions.Expect(answer.Locator(".who .spoken")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "08-voice");

        // The spoken turn is the conversation's, as a typed one is: it is still there after a reload.
        var spokenAnswer = await answer.Locator(".body").InnerTextAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".msg-user .body").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^how many\\b"));
        await Assertions.Expect(page.Locator(".msg-assistant .body").Last).ToHaveTextAsync(spokenAnswer);
    }

    [Fact]
    public async Task AnAssistantsIntentsAreTaughtOnThePageAndTheCacheHitRateShowsRepeatedQuestions()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Finn");
        await CreateAssistantAsync(page, "Cached helper");
        await GiveDocumentAsync(page, "handbook.txt", Handbook);

        await page.GetByRole(AriaRole.Link, new() { Name = "Intents" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No intents yet")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add intent" }).ClickAsync();
        await page.GetByLabel("Intent name").FillAsync("vacation_days");
        await page.GetByLabel("Examples").FillAsync("How many vacation days do I get?\nHow much holiday is there per year?\nWhat is the vacation allowance?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add intent" }).ClickAsync();
        await page.GetByLabel("Intent name").Last.FillAsync("expenses");
        await page.GetByLabel("Examples").Last.FillAsync("When are expenses reimbursed?\nHow do I get travel costs back?\nWhere do receipts go?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator(".panel p.muted").First).ToContainTextAsync("2 intents, 6 examples");
        await page.GetByLabel("Question to classify").FillAsync("how many vacation days are there");
        await page.GetByRole(AriaRole.Button, new() { Name = "Classify" }).ClickAsync();
        await Assertions.Expect(page.GetByText(new System.Text.RegularExpressions.Regex("^vacation_days · \\d+ % confident$"))).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();
        await AskAsync(page, "How many vacation days do I get?");
        await Assertions.Expect(page.Locator(".msg-assistant .body").Last).ToContainTextAsync("25 vacation days");
        await Assertions.Expect(page.GetByLabel("Message")).ToBeEnabledAsync();
        await AskAsync(page, "How many vacation days do I get?");
        await Assertions.Expect(page.Locator(".msg-assistant .body")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".msg-assistant .body").Last).ToContainTextAsync("25 vacation days");
        await Assertions.Expect(page.GetByLabel("Message")).ToBeEnabledAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Intents" }).ClickAsync();
        var hitRate = page.Locator(".stat", new() { HasText = "Hit rate" });
        await Assertions.Expect(hitRate.Locator("strong")).ToHaveTextAsync("50 %");
        await Browser.ScreenshotAsync(page, "09-intents");
    }

    [Fact]
    public async Task AnAnswerIsStoppedCopiedRetriedAndItsConversationRenamedAndDeleted()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Gus");
        await CreateAssistantAsync(page, "Long talker");
        var longSentence = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"parking{i}")) + " all belong to the parking rules.";
        await GiveDocumentAsync(page, "parking.txt", $"The parking rules say {longSentence} Every parking space {longSentence}");

        await page.GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();
        await AskAsync(page, "What do the parking rules say about every parking space?");
        var answer = page.Locator(".msg-assistant").Last;
        await Assertions.Expect(answer.Locator(".body")).ToContainTextAsync("parking");
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop the answer" }).ClickAsync();
        await Assertions.Expect(answer.Locator(".note")).ToHaveTextAsync("The answer was stopped before it was complete.");
        // A whole answer quotes the document twice, each quote followed by its name.
        var whole = new System.Text.RegularExpressions.Regex(@"\(parking\.txt\).*\(parking\.txt\)$");
        Assert.DoesNotMatch(whole, await answer.Locator(".body").InnerTextAsync());

        await answer.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Assertions.Expect(page.Locator(".msg-assistant")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".msg-assistant .body")).ToHaveTextAsync(whole, new() { Timeout = 60_000 });
        await page.Locator(".msg-assistant").GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        Assert.Matches(whole, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await page.GetByLabel("Title").FillAsync("Parking questions");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator(".thread-list a.active .thread-title")).ToHaveTextAsync("Parking questions");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".chat-title")).ToHaveTextAsync("Parking questions");
        await Assertions.Expect(page.Locator(".msg-assistant")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete conversation" }).ClickAsync();
        await page.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.Locator(".chat-title")).ToHaveTextAsync("New conversation");
        await Assertions.Expect(page.Locator(".thread-list")).ToContainTextAsync("Your conversations appear here.");
    }

    [Fact]
    public async Task PageAddressesGetTheAppUnlimitedWhileApiPathsAreNeverShadowed()
    {
        using var http = platform.Anonymous();
        // More page loads than an anonymous caller's 20 requests a minute: pages are served before the limits.
        for (var i = 0; i < 25; i++)
        {
            using var page = await http.GetAsync(i % 2 == 0 ? "/chat/thread_123" : "/js/app.js");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
        using var index = await http.GetAsync("/documents");
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);

        using var unknownApi = await http.GetAsync("/v1/no-such-thing");
        using var unknownNative = await http.GetAsync("/api/no-such-thing");
        using var health = await http.GetAsync("/health");
        using var missingFile = await http.GetAsync("/js/missing.js");
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
        Assert.NotEqual("text/html", unknownApi.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual("text/html", unknownNative.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/html", (await http.GetAsync("/")).Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.NotEqual("text/html", health.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missingFile.StatusCode);
    }

    [Fact]
    public async Task MarkupInADocumentIsShownAsTextAndNeverRunsInTheAnswer()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        await RegisterAsync(page, "Carla");
        await CreateAssistantAsync(page, "Careful bot");
        await GiveDocumentAsync(page, "tricks.txt",
            "The parking rule is <img src=x onerror=\"window.__ran='img'\"> strict. The parking gate says <script>window.__ran='script'</script> hello.");

        await page.GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();
        await AskAsync(page, "What is the parking rule and what does the parking gate say?");
        var body = page.Locator(".msg-assistant .body").Last;
        await Assertions.Expect(body).ToContainTextAsync("<img src=x onerror");
        await Assertions.Expect(body).ToContainTextAsync("<script>");

        Assert.Equal(0, await body.Locator("img, script").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => window.__ran ?? null"));
        using var http = platform.Anonymous();
        using var index = await http.GetAsync("/chat");
        Assert.Contains("script-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APasswordShorterThanTheGatewayTakesIsCaughtOnThePageBeforeAnythingIsSent()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        var registrations = 0;
        page.Request += (_, request) => registrations += request.Url.EndsWith("/auth/register", StringComparison.Ordinal) ? 1 : 0;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = "New here? Create an account" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Ivy");
        await page.GetByLabel("Email").FillAsync($"ivy-{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Password").FillAsync("nine char");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        Assert.True(await page.GetByLabel("Password").EvaluateAsync<bool>("e => e.validity.tooShort"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your account" })).ToBeVisibleAsync();
        Assert.Equal(0, registrations);
    }

    [Fact]
    public async Task ASessionSurvivesAReloadRefreshesItsTokenWhenItExpiresAndEndsOnLogOut()
    {
        var page = await browser.NewPageAsync(platform.Gateway);
        var email = await RegisterAsync(page, "Dana");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".account")).ToContainTextAsync(email);

        var before = await page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('chatbot.session')).refresh");
        // As if the access token had run out: the next call must refresh it (rotating the refresh token) unseen.
        await page.EvaluateAsync("() => { const s = JSON.parse(localStorage.getItem('chatbot.session')); s.expiresAt = 0; s.access = 'expired'; localStorage.setItem('chatbot.session', JSON.stringify(s)); }");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByText("Create your first assistant")).ToBeVisibleAsync();
        var after = await page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('chatbot.session')).refresh");
        Assert.NotEqual(before, after);

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('chatbot.session')"));
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator(".form-error")).Not.ToBeEmptyAsync();
        await Browser.ScreenshotAsync(page, "01-sign-in-error");
    }
}
