using Microsoft.Playwright;

namespace WebApp.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright (never a downloaded browser), one per test class, each test in a fresh
/// context; screenshots go to bin/.../screenshots so they stay with the build as test artifacts.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>What the fake microphone says: a real recording of a voice, made by espeak-ng.</summary>
    public const string SpokenQuestion = "How many vacation days do I get each year?";

    private readonly TestDirectory _recordings = TestDirectory.Create("webapp-microphone-");
    private string? _microphone;

    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = Binaries.Require("chromium", "apt-get install -y --no-install-recommends chromium");
        Directory.CreateDirectory(Screenshots);
        _microphone = await RecordAsync(SpokenQuestion, Path.Combine(_recordings.Path, "question.wav"));
        // The machine is small and shared; a step is allowed its time, and a failure still says which step.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        // Playwright gives a non-persistent launch a fresh temporary --user-data-dir of its own and removes it on close.
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                // The microphone is a file (played once, then silence) and asking for it needs no click on a prompt.
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                $"--use-file-for-fake-audio-capture={_microphone}%noloop", "--autoplay-policy=no-user-gesture-required",
            ],
        });
    }

    /// <summary>A new page in its own context (own storage), sized like a laptop unless told otherwise.</summary>
    public async Task<IPage> NewPageAsync(Uri baseUrl, int width = 1280, int height = 800)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png") });

    private static async Task<string> RecordAsync(string text, string path)
    {
        var espeak = Binaries.Require("espeak-ng", "apt-get install -y --no-install-recommends espeak-ng");
        using var process = System.Diagnostics.Process.Start(espeak, ["-v", "en-us", "-s", "130", "-w", path, text]);
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? path : throw new InvalidOperationException($"espeak-ng failed with exit code {process.ExitCode}.");
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        _recordings.Dispose();
    }
}
