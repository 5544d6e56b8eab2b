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
        try
        {
            var parse = Build(host).Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
            {
                foreach (var error in UsageErrors(parse))
                {
                    host.Terminal.Fail(error);
                }
                host.Terminal.Message($"See `{string.Join(' ', CommandPath(parse).Prepend("chatbot"))} --help`.");
                return ExitCodes.Usage;
            }
            // Without System.CommandLine's handler an exception reaches the catch below: one line, never its stack trace.
            var configuration = new InvocationConfiguration { Output = host.Terminal.Out, Error = host.Terminal.Error, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception ex)
        {
            return Unexpected(host.Terminal, ex);
        }
    }

    /// <summary>
    /// An unknown word is the mistake; "Required command was not provided" for the same word only adds noise. A value
    /// that does not parse is said in plain words by its option's own parser (Options.PerMinute), not with a .NET type name.
    /// </summary>
    private static IEnumerable<string> UsageErrors(ParseResult parse)
    {
        var messages = parse.Errors.Select(e => e.Message).ToList();
        var unknown = messages.Where(m => parse.UnmatchedTokens.Any(t => m.Contains($"'{t}'", StringComparison.Ordinal))).ToList();
        return unknown.Count > 0 ? unknown : messages;
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
            catch (Exception ex)
            {
                return Unexpected(host.Terminal, ex);
            }
        });

    /// <summary>The last resort: a failure nobody put into words is still one line and a hint, never a stack trace.</summary>
    private static int Unexpected(Terminal terminal, Exception ex)
    {
        terminal.Fail($"{string.Join(' ', ex.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))} ({ex.GetType().Name})");
        terminal.Message("This looks like a bug in chatbot; please report it with the command that caused it.");
        return ExitCodes.Failed;
    }

    internal static CliException? Explain(Exception ex, CliContext context) => ex switch
    {
        CliException cli => cli,
        ClientResultException { Status: 0, InnerException: { } inner } => Explain(inner, context),
        ClientResultException result => ApiError.From(result),
        // The gateway stops reading a body over a route's limit and closes the connection while it is still being sent.
        HttpRequestException { StatusCode: null, HttpRequestError: HttpRequestError.Unknown, InnerException: IOException } =>
            new CliException($"The gateway at {context.Gateway} closed the connection while the request was sent: most likely it is larger than the gateway accepts (most routes take 1 MB, documents more). ({ex.Message})", ExitCodes.Usage),
        HttpRequestException { StatusCode: null } =>
            new CliException($"Cannot reach the gateway at {context.Gateway} ({ex.Message}). Is it running? Use --url or CHATBOT_URL.", ExitCodes.Unreachable),
        OperationCanceledException => new CliException("Cancelled.", 130),
        System.Text.Json.JsonException => Json.NotAGateway(context.Gateway, "JSON the platform does not send"),
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
