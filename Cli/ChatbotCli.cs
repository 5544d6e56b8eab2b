using System.ClientModel;
using System.CommandLine;
using Cli.Commands;
using Cli.Gateway;

namespace Cli;

/// <summary>The `chatbot` command tree, and running it with a given terminal and environment.</summary>
public static class ChatbotCli
{
    public static RootCommand Build(CliHost host)
    {
        var root = new RootCommand("The chatbot platform from a terminal: assistants, runs, chat, documents, API keys and voice.")
        {
            CliHost.UrlOption,
        };
        // The tool's name in help wherever it runs from (a test host, `dotnet Cli.dll`).
        root.HelpName = "chatbot";
        foreach (var command in new[]
        {
            AuthCommands.Login(host), AuthCommands.Logout(host), AuthCommands.WhoAmI(host),
            AssistantCommands.Create(host),
            RunCommands.Run(host), RunCommands.Ask(host), ChatCommand.Create(host),
            DocumentCommands.Create(host), KeyCommands.Create(host),
            VoiceCommands.Speak(host), VoiceCommands.Transcribe(host),
            CompletionCommand.Create(),
        })
        {
            root.Add(command);
        }
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        var parse = Build(host).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                host.Terminal.Fail(error.Message);
            }
            host.Terminal.Message($"See `{string.Join(' ', CommandPath(parse).Prepend("chatbot"))} --help`.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = host.Terminal.Out, Error = host.Terminal.Error }, cancellationToken);
    }

    /// <summary>Gives a command its action: errors become words on standard error and an exit code.</summary>
    public static void Handle(this Command command, CliHost host, Func<CliContext, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CliContext(host, parse);
            try
            {
                return await action(context, cancellationToken);
            }
            catch (Exception ex) when (Explain(ex, context) is { } failure)
            {
                host.Terminal.Fail(failure.Message);
                return failure.ExitCode;
            }
        });

    internal static CliException? Explain(Exception ex, CliContext context) => ex switch
    {
        CliException cli => cli,
        ClientResultException { Status: 0, InnerException: { } inner } => Explain(inner, context),
        ClientResultException result => ApiError.From(result),
        HttpRequestException { StatusCode: null } =>
            new CliException($"Cannot reach the gateway at {context.Gateway} ({ex.Message}). Is it running? Use --url or CHATBOT_URL.", ExitCodes.Unreachable),
        OperationCanceledException => new CliException("Cancelled.", 130),
        IOException io => new CliException(io.Message),
        UnauthorizedAccessException denied => new CliException(denied.Message),
        _ => null,
    };

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Push(result.Command.Name);
        }
        return names;
    }
}
