using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Data;

namespace ChatService.Services;

/// <summary>How a run's executor records its end, and what it does when the run was ended by someone else meanwhile.</summary>
public sealed partial class RunExecutor
{
    /// <summary>Whether the run's end is saved already (completed, incomplete, waiting for tool outputs, failed, cancelled).</summary>
    private bool Ended(RunEntity run) =>
        db.Entry(run).State == EntityState.Unchanged && run.Status is not ("queued" or "in_progress" or "cancelling");

    /// <summary>
    /// Saves the run's end with what it wrote, only over the status this executor read (Status is a concurrency token).
    /// A cancel asked meanwhile is overtaken: the run had reached its end. An end recorded elsewhere stands (another
    /// replica failed the run when this process's lease ran out, stalled): nothing of this executor's is saved, and the
    /// stream gets the run as it stands. False then.
    /// </summary>
    private async Task<bool> SaveEndAsync(RunEntity run, RunEventSink sink)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateConcurrencyException) when (attempt == 0)
            {
                var stored = await db.Runs.AsNoTracking().Where(r => r.Id == run.Id).Select(r => r.Status)
                    .FirstOrDefaultAsync(CancellationToken.None).ConfigureAwait(false);
                if (stored == "cancelling")
                {
                    db.Entry(run).Property(r => r.Status).OriginalValue = stored;
                    continue;
                }
                await EndedElsewhereAsync(run.Id, sink).ConfigureAwait(false);
                return false;
            }
            catch (DbUpdateConcurrencyException)
            {
                await EndedElsewhereAsync(run.Id, sink).ConfigureAwait(false);
                return false;
            }
        }
    }

    private async Task EndedElsewhereAsync(string runId, RunEventSink sink)
    {
        db.ChangeTracker.Clear();
        LogEndedElsewhere(logger, runId);
        if (await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, CancellationToken.None).ConfigureAwait(false) is { } stored)
        {
            await TrySinkAsync(sink, $"thread.run.{stored.Status}", RunObject.From(stored)).ConfigureAwait(false);
        }
        else
        {
            // Deleted with its thread while it ran: what it wrote after the delete (its answer, its steps) goes too.
            await db.RunSteps.Where(s => s.RunId == runId).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
            await db.Messages.Where(m => m.RunId == runId).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task CancelledAsync(RunEntity run, RunEventSink sink)
    {
        var now = Ids.Now();
        run.Status = "cancelled";
        run.CancelledAt = now;
        EndLiveParts(run, now, "run_cancelled", step =>
        {
            step.Status = "cancelled";
            step.CancelledAt = now;
        });
        if (await SaveEndAsync(run, sink).ConfigureAwait(false))
        {
            await TrySinkAsync(sink, "thread.run.cancelled", RunObject.From(run)).ConfigureAwait(false);
        }
    }

    private async Task FailedAsync(RunEntity run, MessageEntity? message, ChatTurn? turn, string code, string why, RunEventSink sink)
    {
        var now = Ids.Now();
        run.Status = "failed";
        run.FailedAt = now;
        run.LastErrorCode = code;
        run.LastErrorMessage = why;
        if (turn is { Text.Length: > 0 })
        {
            // What the model said before it failed was spent and is kept, as is its usage.
            run.PromptTokens = (run.PromptTokens ?? 0) + turn.PromptTokens;
            run.CompletionTokens = (run.CompletionTokens ?? 0) + TokenEstimator.Count(turn.Text);
        }
        if (message is not null)
        {
            message.Content = turn?.Text ?? "";
        }
        EndLiveParts(run, now, "run_failed", step =>
        {
            step.Status = "failed";
            step.FailedAt = now;
        });
        if (!await SaveEndAsync(run, sink).ConfigureAwait(false))
        {
            return;
        }
        if (message is not null)
        {
            await TrySinkAsync(sink, "thread.message.incomplete", MessageObject.From(message)).ConfigureAwait(false);
        }
        await TrySinkAsync(sink, "thread.run.failed", RunObject.From(run)).ConfigureAwait(false);
    }

    /// <summary>
    /// Every message and step this run made that is still in progress ends with it: they are read from the context's
    /// tracker, not from locals, so one added just before the stop (its save or its first event cut) is ended too.
    /// </summary>
    private void EndLiveParts(RunEntity run, long now, string messageReason, Action<RunStepEntity> endStep)
    {
        foreach (var message in db.ChangeTracker.Entries<MessageEntity>().Select(e => e.Entity)
                     .Where(m => m.RunId == run.Id && m.Status == "in_progress"))
        {
            message.MarkIncomplete(messageReason, now);
        }
        foreach (var step in db.ChangeTracker.Entries<RunStepEntity>().Select(e => e.Entity)
                     .Where(s => s.RunId == run.Id && s.Status == "in_progress"))
        {
            endStep(step);
        }
    }

    /// <summary>Whether a cancel request set the run cancelling (the stop may also come from the service shutting down).</summary>
    private Task<bool> CancelAskedAsync(string runId) =>
        db.Runs.AsNoTracking().AnyAsync(r => r.Id == runId && r.Status == "cancelling", CancellationToken.None);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} was ended elsewhere (its lease ran out here); what this process made of it is dropped")]
    private static partial void LogEndedElsewhere(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId} had ended when its stream was cut ({Reason})")]
    private static partial void LogLateStop(ILogger logger, string runId, string reason);
}
