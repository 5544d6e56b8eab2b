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
/// Executes queued runs, each in its own scope and concurrently, so one slow answer holds up no other, while
/// <see cref="RunLeaseKeeper"/> keeps their leases. On shutdown it stops the live ones (they end failed with a
/// server_error: nobody cancelled them) and waits for them to record that.
/// </summary>
public sealed partial class RunWorker(RunQueue queue, RunLeaseKeeper keeper, IServiceScopeFactory scopes, ILogger<RunWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await keeper.RecoverAsync(stoppingToken).ConfigureAwait(false);
        var leases = keeper.KeepAsync(stoppingToken);
        await EachAtOnce.RunAsync(queue.ReadAllAsync(stoppingToken), run => RunOneAsync(run, stoppingToken), null, stoppingToken).ConfigureAwait(false);
        await leases.ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Background run {RunId} could not be executed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId);
}
