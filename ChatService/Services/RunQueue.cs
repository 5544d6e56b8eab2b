using System.Threading.Channels;

namespace ChatService.Services;

/// <summary>Runs created without `stream` wait here; <see cref="RunWorker"/> executes them in the background.</summary>
public sealed class RunQueue
{
    private readonly Channel<string> _runs = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(string runId)
    {
        if (!_runs.Writer.TryWrite(runId))
        {
            throw new InvalidOperationException("The run queue is closed.");
        }
    }

    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _runs.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>
/// Executes queued runs, each in its own scope and concurrently, so one slow answer holds up no other. On shutdown
/// it stops the live ones (they end as cancelled) and waits for them to record that.
/// </summary>
public sealed partial class RunWorker(RunQueue queue, IServiceScopeFactory scopes, ILogger<RunWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var live = new HashSet<Task>();
        try
        {
            await foreach (var runId in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var task = RunOneAsync(runId, stoppingToken);
                lock (live)
                {
                    live.Add(task);
                }
                _ = task.ContinueWith(t =>
                {
                    lock (live)
                    {
                        live.Remove(t);
                    }
                }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        Task[] remaining;
        lock (live)
        {
            remaining = [.. live];
        }
        await Task.WhenAll(remaining).ConfigureAwait(false);
    }

    private async Task RunOneAsync(string runId, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var executor = scope.ServiceProvider.GetRequiredService<RunExecutor>();
            await executor.ExecuteAsync(runId, null, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Background run {RunId} could not be executed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId);
}
