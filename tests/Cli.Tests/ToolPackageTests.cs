using System.Diagnostics;
using System.Reflection;

namespace Cli.Tests;

/// <summary>The packed .NET tool, installed with `dotnet tool install` and run as a real process in a real shell pipe.</summary>
[Collection(PlatformCollection.Name)]
public sealed class ToolPackageTests(Platform platform) : IDisposable
{
    private readonly Chatbot _chatbot = new(platform);

    [Fact]
    public async Task ThePackedToolInstallsAndAnswersInAShellPipeWithExitCodes()
    {
        await _chatbot.UseAccountOfAsync(typeof(ToolPackageTests));
        var id = await _chatbot.CreateAssistantAsync("Piped", "--file", _chatbot.File("handbook.txt", Handbook.Text));
        var key = (await _chatbot.RunAsync("keys", "create", "--name", "shell")).Output.Trim();
        var feed = Path.Combine(_chatbot.Home, "feed");
        var tools = Path.Combine(_chatbot.Home, "tools");
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

        var pack = await ShellAsync($"dotnet pack '{Path.Combine(RepositoryRoot(), "Cli", "Cli.csproj")}' -c {configuration} --no-build -o '{feed}'");
        var install = await ShellAsync($"dotnet tool install chatbot --tool-path '{tools}' --add-source '{feed}'");
        var environment = $"CHATBOT_URL={platform.Gateway} CHATBOT_API_KEY={key}";
        var piped = await ShellAsync($"echo 'When are travel expenses reimbursed?' | {environment} '{tools}/chatbot' run {id} | tr a-z A-Z");
        var unknown = await ShellAsync($"{environment} '{tools}/chatbot' ask 'No such bot' 'Hello?'");

        Assert.True(pack.Code == 0, pack.Output);
        Assert.True(install.Code == 0, install.Output);
        Assert.Contains("'chatbot'", install.Output, StringComparison.Ordinal);
        Assert.True(piped.Code == 0, piped.Output + piped.Error);
        Assert.Contains("14 DAYS", piped.Output, StringComparison.Ordinal);
        Assert.Equal("", piped.Error);
        Assert.Equal(ExitCodes.NotFound, unknown.Code);
        Assert.Contains("No assistant 'No such bot'", unknown.Error, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> ShellAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _chatbot.Home,
            Environment = { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Microservices.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() => _chatbot.Dispose();
}
