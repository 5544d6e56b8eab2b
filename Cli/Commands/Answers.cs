using System.Text;
using OpenAI.Assistants;

namespace Cli.Commands;

/// <summary>Streams a run's answer as it is written, the one way run, ask and chat all answer.</summary>
public static class Answers
{
    /// <summary>Asks in a new thread.</summary>
    public static Task<Answer> AskAsync(CliContext context, string assistantId, string question, TextWriter sink, CancellationToken cancellationToken)
    {
        var thread = new ThreadCreationOptions();
        thread.InitialMessages.Add(new ThreadInitializationMessage(MessageRole.User, [MessageContent.FromText(question)]));
        return StreamAsync(context.Terminal, context.Assistants.CreateThreadAndRunStreamingAsync(assistantId, thread, cancellationToken: cancellationToken), sink, cancellationToken);
    }

    /// <summary>Asks in an existing thread, which keeps the conversation.</summary>
    public static async Task<Answer> AskInThreadAsync(
        CliContext context, string threadId, string assistantId, string question, TextWriter sink, CancellationToken cancellationToken)
    {
        await context.Assistants.CreateMessageAsync(threadId, MessageRole.User, [MessageContent.FromText(question)], cancellationToken: cancellationToken);
        return await StreamAsync(context.Terminal, context.Assistants.CreateRunStreamingAsync(threadId, assistantId, cancellationToken: cancellationToken), sink, cancellationToken);
    }

    /// <summary>
    /// Writes the answer to <paramref name="sink"/>; an answer the platform cut at its token cap (the run ends
    /// incomplete) is followed by a warning on standard error, so a pipe still gets the text alone.
    /// </summary>
    private static async Task<Answer> StreamAsync(
        Terminal terminal, Task<System.ClientModel.AsyncStreamingResult<StreamingUpdate>> started, TextWriter sink, CancellationToken cancellationToken)
    {
        var updates = await started;
        var text = new StringBuilder();
        string? threadId = null;
        string? incomplete = null;
        await foreach (var update in updates.WithCancellation(cancellationToken))
        {
            switch (update)
            {
                case MessageContentUpdate { Text: { Length: > 0 } delta }:
                    text.Append(delta);
                    await sink.WriteAsync(delta);
                    await sink.FlushAsync(cancellationToken);
                    break;
                case RunUpdate run:
                    threadId = run.Value.ThreadId;
                    if (run.Value.Status == RunStatus.Failed || run.Value.Status == RunStatus.Expired || run.Value.Status == RunStatus.Cancelled)
                    {
                        throw RunEnded(run.Value);
                    }
                    if (run.Value.Status == RunStatus.Incomplete)
                    {
                        incomplete = run.Value.IncompleteDetails?.Reason?.ToString() ?? "no reason given";
                    }
                    break;
            }
        }
        if (text.Length > 0 && text[^1] != '\n')
        {
            await sink.WriteLineAsync();
        }
        await sink.FlushAsync(cancellationToken);
        if (incomplete is not null)
        {
            terminal.Warn($"the answer is incomplete: it was cut short at its token limit ({incomplete}).");
        }
        return new Answer(threadId, text.ToString());
    }

    /// <summary>A run that failed on a rate limit or token budget exits as a 429 would (6), the platform's words kept whole.</summary>
    private static CliException RunEnded(ThreadRun run)
    {
        var reason = run.LastError?.Message is { Length: > 0 } said ? said.TrimEnd('.') : "no reason given";
        return new CliException($"The run {run.Status}: {reason}.",
            run.LastError?.Code == RunErrorCode.RateLimitExceeded ? ExitCodes.RateLimited : ExitCodes.Failed);
    }
}

public sealed record Answer(string? ThreadId, string Text);
