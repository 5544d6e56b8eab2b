using Microsoft.Playwright;

namespace WebApp.Tests;

/// <summary>What a user does on the page, step by step, shared by the tests.</summary>
internal static class Steps
{
    public const string Password = "correct horse battery staple 42";

    public static async Task<string> RegisterAsync(IPage page, string name)
    {
        var email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login$"));
        await Browser.ScreenshotAsync(page, "01-sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "New here? Create an account" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Assertions.Expect(page.Locator(".account")).ToContainTextAsync(name);
        return email;
    }

    /// <summary>Creates an assistant on the Assistants page and returns its id, read back through the page's own API calls.</summary>
    public static async Task<string> CreateAssistantAsync(IPage page, string name)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Assistants" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New assistant" }).First.ClickAsync();
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Instructions").FillAsync("Answer from the handbook, briefly.");
        var created = page.WaitForResponseAsync(r => r.Url.EndsWith("/v1/assistants", StringComparison.Ordinal) && r.Request.Method == "POST");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var id = (await (await created).JsonAsync())!.Value.GetProperty("id").GetString()!;
        await Assertions.Expect(page.Locator(".card.assistant h3", new() { HasText = name })).ToBeVisibleAsync();
        return id;
    }

    /// <summary>Drops files on the drop zone as a user dragging them from the desktop would.</summary>
    public static async Task DropFilesAsync(IPage page, params (string Name, string Text)[] files)
    {
        var transfer = await page.EvaluateHandleAsync("""
            files => { const t = new DataTransfer(); for (const [name, text] of files) t.items.add(new File([text], name, { type: 'text/plain' })); return t; }
            """, files.Select(f => new[] { f.Name, f.Text }).ToArray());
        await page.Locator(".dropzone").DispatchEventAsync("drop", new Dictionary<string, object> { ["dataTransfer"] = transfer });
    }

    public static async Task AskAsync(IPage page, string question)
    {
        await page.GetByLabel("Message").FillAsync(question);
        await page.GetByLabel("Message").PressAsync("Enter");
    }

    /// <summary>Records every distinct text the newest answer shows while it streams.</summary>
    public static Task WatchAnswerGrowthAsync(IPage page) => page.EvaluateAsync("""
        () => {
          window.__answerStates = new Set();
          new MutationObserver(() => {
            const bodies = document.querySelectorAll('.msg-assistant .body');
            const last = bodies[bodies.length - 1];
            if (last && last.textContent) window.__answerStates.add(last.textContent);
          }).observe(document.body, { subtree: true, childList: true, characterData: true });
        }
        """);

    /// <summary>Opens Documents, drops one file and waits until the platform has it ready.</summary>
    public static async Task GiveDocumentAsync(IPage page, string name, string text)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Documents" }).ClickAsync();
        await DropFilesAsync(page, (name, text));
        await Assertions.Expect(page.Locator(".upload", new() { HasText = name })).ToContainTextAsync("Ready");
    }
}
