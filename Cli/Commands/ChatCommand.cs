using System.ClientModel;
using System.CommandLine;
using OpenAI.Assistants;
using Spectre.Console;

namespace Cli.Commands;

/// <summary>`chatbot chat`: a conversation in one thread, answers streamed, with /new, /files, /thread and /exit.</summary>
public static class ChatCommand
{
    private const string Help = "/new starts a new thread, /files lists the assistant's files, /thread shows the thread id, /exit leaves.";

    public static Command Create(CliHost host)
    {
        var assistant = Options.Assistant();
        var thread = new Option<string?>("--thread") { Description = "Resume this thread (thread_...) instead of starting one" };
        var command = new Command("chat", "Talk with an assistant; the conversation keeps its thread") { assistant, thread };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var terminal = context.Terminal;
            var found = await AssistantLookup.FindAsync(context, context.Value(assistant), cancellationToken);
            var threadId = context.Value(thread) is { } resumed
                ? await ResumeAsync(context, resumed, cancellationToken)
                : await NewThreadAsync(context, cancellationToken);
            terminal.Message($"Chatting with {found.Name ?? found.Id} in {threadId}. {Help}");
            // Said however the chat ends: /exit, the end of input, Ctrl+C or a failure.
            try
            {
                while (true)
                {
                    if (!terminal.InputRedirected)
                    {
                        terminal.Ui.Markup("[bold]> [/]");
                    }
                    // WaitAsync: a console's reader ignores the token, and Ctrl+C must end the wait for the hint below to be said.
                    var line = await terminal.In.ReadLineAsync(cancellationToken).AsTask().WaitAsync(cancellationToken);
                    if (line is null)
                    {
                        break;
                    }
                    line = line.Trim();
                    if (line.Length == 0)
                    {
                        continue;
                    }
                    if (line.StartsWith('/'))
                    {
                        if (line is "/exit" or "/quit")
                        {
                            break;
                        }
                        threadId = await CommandAsync(context, line, found.Id, threadId, cancellationToken);
                        continue;
                    }
                    try
                    {
                        await Answers.AskInThreadAsync(context, threadId, found.Id, line, terminal.Out, cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException && ChatbotCli.Explain(ex, context) is { } failure)
                    {
                        // One refused question (a rate limit, a failed run) does not end the conversation.
                        terminal.Fail(failure.Message);
                    }
                }
            }
            finally
            {
                terminal.Message($"Resume with: chatbot chat {found.Id} --thread {threadId}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<string> CommandAsync(CliContext context, string line, string assistantId, string threadId, CancellationToken cancellationToken)
    {
        var terminal = context.Terminal;
        switch (line)
        {
            case "/new":
                var created = await NewThreadAsync(context, cancellationToken);
                terminal.Message($"New thread {created}.");
                return created;
            case "/files":
                var documents = await context.Documents.ListAsync(assistantId, cancellationToken);
                if (documents.Count == 0)
                {
                    terminal.Message("The assistant has no files.");
                }
                else
                {
                    DocumentCommands.Table(terminal, documents);
                }
                return threadId;
            case "/thread":
                terminal.Out.WriteLine(threadId);
                return threadId;
            default:
                terminal.Message(line == "/help" ? Help : $"Unknown command {line}. {Help}");
                return threadId;
        }
    }

    private static async Task<string> NewThreadAsync(CliContext context, CancellationToken cancellationToken) =>
        (await context.Assistants.CreateThreadAsync(cancellationToken: cancellationToken)).Value.Id;

    private static async Task<string> ResumeAsync(CliContext context, string threadId, CancellationToken cancellationToken)
    {
        try
        {
            await context.Assistants.GetThreadAsync(threadId, cancellationToken);
        }
        catch (ClientResultException ex) when (ex.Status == 404)
        {
            throw new CliException($"No thread '{threadId}' among yours.", ExitCodes.NotFound);
        }
        var count = 0;
        await foreach (var _ in context.Assistants.GetMessagesAsync(threadId, cancellationToken: cancellationToken))
        {
            count++;
        }
        context.Terminal.Message($"Resuming {threadId} ({count} earlier messages).");
        return threadId;
    }
}
