using System.Threading.Channels;
using ChatService.Budgets;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Data;

namespace ChatService.Services;

/// <summary>A run to execute, and the token budget of the key that asked for it (null: none).</summary>
public sealed record QueuedRun(string RunId, TokenBudget? Budget);

/// <summary>Runs created without `stream` wait here; <see cref="RunWorker"/> executes them in the background.</summary>
public sealed class RunQueue
{
    private readonly Channel<QueuedRun> _runs = Channel.CreateUnbounded<QueuedRun>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(string runId, TokenBudget? budget = null)
    {
        if (!_runs.Writer.TryWrite(new QueuedRun(runId, budget)))
        {
            throw new InvalidOperationException("The run queue is closed.");
        }
    }

    public IAsyncEnumerable<QueuedRun> ReadAllAsync(CancellationToken cancellationToken) => _runs.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>
/// Executes queued runs, each in its own scope and concurrently, so one slow answer holds up no other. On shutdown
/// it stops the live ones (they end failed with a server_error: nobody cancelled them) and waits for them to record that.
/// </summary>
public sealed partial class RunWorker(RunQueue queue, IServiceScopeFactory scopes, ILogger<RunWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken).ConfigureAwait(false);
        await EachAtOnce.RunAsync(queue.ReadAllAsync(stoppingToken), run => RunOneAsync(run, stoppingToken), null, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a previous process left behind: queued ones are queued again (the budget of the key that asked went with
    /// the process, so they answer unbudgeted); ones it was executing cannot be resumed
    /// (their model call died with it), so they end failed, and ones being cancelled end cancelled.
    /// </summary>
    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            var now = Ids.Now();
            await db.Runs.Where(r => r.Status == "in_progress").ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, "failed")
                .SetProperty(r => r.FailedAt, now)
                .SetProperty(r => r.LastErrorCode, "server_error")
                .SetProperty(r => r.LastErrorMessage, "The service restarted while the run was in progress."), stoppingToken).ConfigureAwait(false);
            await db.Runs.Where(r => r.Status == "cancelling").ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, "cancelled")
                .SetProperty(r => r.CancelledAt, now), stoppingToken).ConfigureAwait(false);
            await EndPartsOfEndedRunsAsync(db, now, stoppingToken).ConfigureAwait(false);
            var queued = await db.Runs.Where(r => r.Status == "queued").OrderBy(r => r.Id).Select(r => r.Id)
                .ToListAsync(stoppingToken).ConfigureAwait(false);
            foreach (var runId in queued)
            {
                queue.Enqueue(runId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecoveryFailed(logger, ex);
        }
    }

    /// <summary>
    /// An answer a failed or cancelled run was writing ends with it, as its executor ends it (incomplete, its step
    /// failed or cancelled): one left in progress by a process that died, or by a stop before these were tracked,
    /// would read as still being written forever.
    /// </summary>
    private static async Task EndPartsOfEndedRunsAsync(ChatDbContext db, long now, CancellationToken stoppingToken)
    {
        foreach (var (ended, reason) in new[] { ("failed", "run_failed"), ("cancelled", "run_cancelled") })
        {
            await db.Messages.Where(m => m.Status == "in_progress" && db.Runs.Any(r => r.Id == m.RunId && r.Status == ended))
                .ExecuteUpdateAsync(u => u
                    .SetProperty(m => m.Status, "incomplete")
                    .SetProperty(m => m.IncompleteReason, reason)
                    .SetProperty(m => m.IncompleteAt, now), stoppingToken).ConfigureAwait(false);
        }
        await db.RunSteps.Where(s => s.Status == "in_progress" && db.Runs.Any(r => r.Id == s.RunId && r.Status == "failed"))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, "failed").SetProperty(s => s.FailedAt, now), stoppingToken).ConfigureAwait(false);
        await db.RunSteps.Where(s => s.Status == "in_progress" && db.Runs.Any(r => r.Id == s.RunId && r.Status == "cancelled"))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, "cancelled").SetProperty(s => s.CancelledAt, now), stoppingToken).ConfigureAwait(false);
    }

    private async Task RunOneAsync(QueuedRun run, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var executor = scope.ServiceProvider.GetRequiredService<RunExecutor>();
            await executor.ExecuteAsync(run.RunId, null, stoppingToken, run.Budget).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, run.RunId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Runs left by a previous process could not be recovered")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Background run {RunId} could not be executed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId);
}
