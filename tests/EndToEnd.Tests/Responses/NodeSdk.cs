using System.Diagnostics;
using System.Text.Json;

namespace EndToEnd.Tests.Responses;

/// <summary>Runs a script of OpenAINode/ (the openai npm package, unchanged) against the gateway and reads what it printed.</summary>
internal static class NodeSdk
{
    private static readonly string Directory = Path.Combine(Repo.Root, "tests", "EndToEnd.Tests", "OpenAINode");

    public static Task<JsonElement> RunAsync(Uri gateway, string token, string scenario, params (string Key, string Value)[] environment) =>
        RunScriptAsync(gateway, token, ["responses.mjs", scenario], environment);

    public static async Task<JsonElement> RunScriptAsync(Uri gateway, string token, string[] arguments, params (string Key, string Value)[] environment)
    {
        Assert.True(System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "openai"))
            && System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "typescript")),
            $"The openai and typescript npm packages are not installed: run ./test.sh, or npm ci in {Directory}");
        var start = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OPENAI_BASE_URL"] = new Uri(gateway, "/v1").ToString();
        start.Environment["OPENAI_API_KEY"] = token;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A script that hangs must not outlive the test run (tsc is its child).
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"node {string.Join(' ', arguments)} failed: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }
}

internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Microservices.sln) was not found.");
    }
}
