using Microsoft.Extensions.Options;

namespace ChatService.Services;

/// <summary>
/// Sends the hits <see cref="CachedAnswers"/> answered to intent-cache-service's statistics, summed, once an interval
/// (and once more on the way out), so its lookups and hits include them. Hits it could not send are kept for the next.
/// </summary>
public sealed partial class CachedAnswerHitReporter(
    CachedAnswers answers, IServiceProvider services, IOptions<ChatServiceOptions> options, ILogger<CachedAnswerHitReporter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CachedAnswerReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ReportAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReportAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Shutting down past its grace period, or with its services already disposed (seen once as a test host
            // was torn down): these few counts are lost, the answers were not. A shutdown must not throw for them.
        }
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var taken = answers.TakeHits();
        if (taken.Count == 0)
        {
            return;
        }
        var client = services.GetRequiredService<IntentCacheClient>();
        foreach (var (caller, assistantId, hits) in taken)
        {
            bool reported;
            try
            {
                reported = await client.ReportHitsAsync(assistantId, hits, caller, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A timeout or any other failure of one report must not stop the service (a background service's
                // exception would): keep the counts for the next round.
                LogReportFailed(logger, ex.Message);
                reported = false;
            }
            if (!reported)
            {
                answers.ReturnHits(caller, assistantId, hits);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting cached-answer hits to intent-cache-service failed; kept for the next round: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}
