using System.CommandLine;
using Cli;

namespace Cli.Tests;

/// <summary>The command tree itself: help, completion and usage errors, none of which needs the platform.</summary>
public sealed class CommandLineTests
{
    public static TheoryData<string> EveryCommand()
    {
        var data = new TheoryData<string>();
        foreach (var path in Paths(ChatbotCli.Build(Host(new StringWriter(), new StringWriter())), ""))
        {
            data.Add(path);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task EveryCommandAnswersHelpWithItsUsage(string path)
    {
        var (code, output, _) = await RunAsync([.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.Equal(0, code);
        Assert.Contains($"chatbot {path}".TrimEnd(), output, StringComparison.Ordinal);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompletionSuggestsSubcommandsAndTheirOptions()
    {
        var (_, commands, _) = await RunAsync(["[suggest:13]", "assistants cr"]);
        var (_, options, _) = await RunAsync(["[suggest:25]", "assistants create x --in"]);

        Assert.Equal(["create"], commands.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("--instructions", options, StringComparison.Ordinal);
        Assert.Contains("--instructions-file", options, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _chatbot_complete chatbot")]
    [InlineData("zsh", "bashcompinit")]
    [InlineData("fish", "complete -c chatbot")]
    public async Task CompletionScriptsAskChatbotThroughTheSuggestDirective(string shell, string hook)
    {
        var (code, output, _) = await RunAsync(["completion", shell]);

        Assert.Equal(0, code);
        Assert.Contains(hook, output, StringComparison.Ordinal);
        Assert.Contains("chatbot \"[suggest:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownOptionIsAUsageErrorThatPointsAtHelp()
    {
        var (code, output, error) = await RunAsync(["assistants", "list", "--colour"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Contains("error: Unrecognized command or argument '--colour'", error, StringComparison.Ordinal);
        Assert.Contains("See `chatbot assistants list --help`.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownCommandIsSaidOnceWithoutAMissingCommandBeforeIt()
    {
        var (code, _, error) = await RunAsync(["frobnicate"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(["error: Unrecognized command or argument 'frobnicate'.", "See `chatbot --help`."],
            error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task ALimitTooBigForANumberIsSaidInPlainWords()
    {
        var (code, _, error) = await RunAsync(["keys", "create", "--name", "ci", "--rpm", "99999999999"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("error: --rpm takes a whole number of at most 2147483647, not '99999999999'.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGatewayUrlThatIsNotHttpIsAUsageError()
    {
        var (code, _, error) = await RunAsync(["--url", "ftp://example.com", "assistants", "list"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("'ftp://example.com' is not an http(s) URL", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ChatbotCli.RunAsync(args, Host(output, error));
        return (code, output.ToString(), error.ToString());
    }

    private static CliHost Host(StringWriter output, StringWriter error) =>
        new(Terminal.Plain(new StringReader(""), output, error), _ => null, TimeProvider.System);

    private static IEnumerable<string> Paths(Command command, string prefix)
    {
        yield return prefix;
        foreach (var child in command.Subcommands)
        {
            foreach (var path in Paths(child, $"{prefix} {child.Name}".Trim()))
            {
                yield return path;
            }
        }
    }
}
