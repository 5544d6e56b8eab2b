using ChatService.Budgets;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;

namespace ChatService.Services;

/// <summary>An Assistants stream event: its name and the object it carries.</summary>
public delegate Task RunEventSink(string name, object data, CancellationToken cancellationToken);

/// <summary>
/// Carries a run from queued to completed (or failed, or cancelled): builds the thread's context, streams the
/// model's answer into a new assistant message, records usage. The same code serves polled runs (in the background,
/// no sink) and streamed runs (in the request, the sink writes SSE).
/// </summary>
public sealed partial class RunExecutor(
    ChatDbContext db, ChatEngine engine, ThreadContext threadContext, RunRegistry registry, ILogger<RunExecutor> logger)
{
    public async Task<RunEntity?> ExecuteAsync(string runId, RunEventSink? sink, CancellationToken cancellationToken, TokenBudget? budget = null)
    {
        sink ??= static (_, _, _) => Task.CompletedTask;
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return null;
        }
        if (run.Status is not "queued")
        {
            if (run.Status == "cancelling")
            {
                await CancelledAsync(run, null, sink).ConfigureAwait(false);
            }
            return run;
        }

        using var cancellation = registry.Register(run.Id, cancellationToken);
        var token = cancellation.Token;
        MessageEntity? message = null;
        ChatTurn? turn = null;
        try
        {
            run.Status = "in_progress";
            run.StartedAt = Ids.Now();
            await db.SaveChangesAsync(token).ConfigureAwait(false);
            await sink("thread.run.in_progress", RunObject.From(run), token).ConfigureAwait(false);

            var thread = await db.Threads.FirstAsync(t => t.Id == run.ThreadId, token).ConfigureAwait(false);
            var assistant = await db.Assistants.AsNoTracking().FirstOrDefaultAsync(a => a.Id == run.AssistantId, token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The run's assistant {run.AssistantId} no longer exists.");
            // The run may go on after its request (polled runs): its sibling calls speak for the owner, on this assistant only.
            var caller = new ServiceDefaults.Identity.CallerIdentity(thread.OwnerId, Assistants: [assistant.Id]);
            var snapshot = await engine.GetKnowledgeAsync(assistant, caller, token).ConfigureAwait(false);
            var turns = await threadContext.TurnsAsync(thread, assistant, snapshot, token).ConfigureAwait(false);

            message = new MessageEntity
            {
                Id = Ids.New("msg"),
                ThreadId = thread.Id,
                CreatedAt = Ids.Now(),
                Role = "assistant",
                Content = "",
                Status = "in_progress",
                AssistantId = assistant.Id,
                RunId = run.Id,
            };
            db.Messages.Add(message);
            await db.SaveChangesAsync(token).ConfigureAwait(false);
            await sink("thread.message.created", MessageObject.From(message), token).ConfigureAwait(false);
            await sink("thread.message.in_progress", MessageObject.From(message), token).ConfigureAwait(false);

            turn = await engine.StartAsync(
                new TurnInput(caller, assistant, run.Model, run.Instructions, run.AdditionalInstructions, turns,
                    run.Temperature, run.TopP, run.MaxCompletionTokens, budget),
                snapshot, token).ConfigureAwait(false);
            await foreach (var delta in turn.StreamAsync(token).ConfigureAwait(false))
            {
                await sink("thread.message.delta",
                    new MessageDeltaObject(message.Id, new MessageDelta([new DeltaTextPart(0, new TextValue(delta))])), token).ConfigureAwait(false);
            }

            var now = Ids.Now();
            message.Content = turn.Text;
            message.Status = "completed";
            message.CompletedAt = now;
            run.Status = "completed";
            run.CompletedAt = now;
            run.PromptTokens = turn.PromptTokens;
            run.CompletionTokens = turn.CompletionTokens;
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            await sink("thread.message.completed", MessageObject.From(message), token).ConfigureAwait(false);
            await sink("thread.run.completed", RunObject.From(run), token).ConfigureAwait(false);
            return run;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // A cancel request, or the streaming client went away: either way the model call is stopped.
            if (message is not null && turn is not null)
            {
                // What was said before the stop stays readable, marked incomplete.
                message.Content = turn.Text;
            }
            await CancelledAsync(run, message, sink).ConfigureAwait(false);
            return run;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, run.Id);
            var now = Ids.Now();
            run.Status = "failed";
            run.FailedAt = now;
            run.LastErrorCode = ex is ServiceDefaults.Errors.ApiException { StatusCode: 429 } ? "rate_limit_exceeded" : "server_error";
            run.LastErrorMessage = ex is ServiceDefaults.Errors.ApiException api ? api.Message : "The run failed while the answer was made.";
            if (turn is { Text.Length: > 0 })
            {
                // What the model said before it failed was spent and is kept, as is its usage.
                run.PromptTokens = turn.PromptTokens;
                run.CompletionTokens = TokenEstimator.Count(turn.Text);
            }
            if (message is not null)
            {
                message.Content = turn?.Text ?? "";
                message.Status = "incomplete";
                message.CompletedAt = null;
            }
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            if (message is not null)
            {
                await TrySinkAsync(sink, "thread.message.incomplete", MessageObject.From(message)).ConfigureAwait(false);
            }
            await TrySinkAsync(sink, "thread.run.failed", RunObject.From(run)).ConfigureAwait(false);
            return run;
        }
        finally
        {
            registry.Unregister(run.Id);
        }
    }

    private async Task CancelledAsync(RunEntity run, MessageEntity? message, RunEventSink sink)
    {
        var now = Ids.Now();
        run.Status = "cancelled";
        run.CancelledAt = now;
        if (message is not null)
        {
            message.Status = "incomplete";
        }
        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        await TrySinkAsync(sink, "thread.run.cancelled", RunObject.From(run)).ConfigureAwait(false);
    }

    private static async Task TrySinkAsync(RunEventSink sink, string name, object data)
    {
        try
        {
            await sink(name, data, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client is gone; the run's state is stored and can be polled.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId);
}
