using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Cli;

namespace Cli.Tests;

/// <summary>What one run of the command printed and returned.</summary>
public sealed record Outcome(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>
/// The `chatbot` command run in-process against the test platform, as one user on one machine: its own config
/// directory (XDG_CONFIG_HOME), working directory for files, environment and clock.
/// </summary>
public sealed partial class Chatbot : IDisposable
{
    public const string Password = "correct horse battery staple 42";

    private readonly Dictionary<string, string?> _environment;

    public Chatbot(Platform platform)
    {
        Platform = platform;
        Home = TestDirectory.Create("chatbot-cli-").Path;
        _environment = new()
        {
            ["CHATBOT_URL"] = platform.Gateway.ToString(),
            ["XDG_CONFIG_HOME"] = Path.Combine(Home, "config"),
            ["HOME"] = Home,
        };
    }

    public Platform Platform { get; }

    /// <summary>A temp folder for this user's files; deleted at the end.</summary>
    public string Home { get; }

    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public string CredentialsFile => Path.Combine(Home, "config", "chatbot", "credentials.json");

    public string? this[string variable]
    {
        get => _environment.GetValueOrDefault(variable);
        set => _environment[variable] = value;
    }

    public Task<Outcome> RunAsync(params string[] args) => RunWithInputAsync("", args);

    public Task<Outcome> RunWithInputAsync(string input, params string[] args) =>
        RunWithInputAsync(new StringReader(input), CancellationToken.None, args);

    /// <summary>Runs with a reader of the test's own and a token that stands for Ctrl+C.</summary>
    public async Task<Outcome> RunWithInputAsync(TextReader input, CancellationToken ctrlC, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var terminal = Terminal.Plain(input, output, error);
        var code = await ChatbotCli.RunAsync(args, new CliHost(terminal, name => _environment.GetValueOrDefault(name), Clock), ctrlC);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    public string File(string name, string content)
    {
        var path = Path.Combine(Home, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Registers an account through the gateway and logs the command in with it, password on stdin.</summary>
    public async Task<string> LoginAsNewUserAsync(string name)
    {
        var email = await RegisterAsync(name);
        for (var attempt = 0; ; attempt++)
        {
            var login = await RunWithInputAsync(Password + "\n", "login", "--email", email, "--password-stdin");
            if (login.ExitCode == ExitCodes.RateLimited && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(RetryAfter().Match(login.Error) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 5));
                continue;
            }
            Assert.True(login.ExitCode == 0, login.ToString());
            return email;
        }
    }

    /// <summary>
    /// Signs in to an account this test class shares (one per class and platform): the gateway allows only a few
    /// anonymous requests a minute from one address, and registering and logging in are anonymous.
    /// </summary>
    public async Task UseAccountOfAsync(Type testClass)
    {
        var directory = await SharedAccounts.GetOrAdd((Platform.Gateway, testClass.Name), _ => Task.Run(async () =>
        {
            using var owner = new Chatbot(Platform);
            var config = TestDirectory.Create("chatbot-cli-account-").Path;
            owner["XDG_CONFIG_HOME"] = config;
            await owner.LoginAsNewUserAsync(testClass.Name.ToLowerInvariant());
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TestDirectory.Delete(config);
            return config;
        }));
        this["XDG_CONFIG_HOME"] = directory;
    }

    /// <summary>Registers through the gateway, waiting out the anonymous rate limit when the gateway asks to.</summary>
    public async Task<string> RegisterAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        using var anonymous = Platform.Anonymous();
        for (var attempt = 0; ; attempt++)
        {
            using var registered = await anonymous.PostAsJsonAsync("/auth/register", new { name, email, password = Password });
            if (registered.StatusCode == HttpStatusCode.TooManyRequests && attempt < 3)
            {
                await Task.Delay(registered.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5));
                continue;
            }
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            return email;
        }
    }

    private static readonly ConcurrentDictionary<(Uri, string), Task<string>> SharedAccounts = new();

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:Try again in|retry after) (\d+) s")]
    private static partial System.Text.RegularExpressions.Regex RetryAfter();

    public async Task<string> CreateAssistantAsync(string name, params string[] extra)
    {
        var created = await RunAsync(["assistants", "create", name, .. extra]);
        Assert.True(created.ExitCode == 0, created.ToString());
        return created.Output.Trim();
    }

    public void Dispose() => TestDirectory.Delete(Home);
}
