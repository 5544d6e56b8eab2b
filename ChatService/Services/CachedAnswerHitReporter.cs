using Microsoft.Extensions.Options;

namespace ChatService.Services;

/// <summary>
/// Sends the hits <see cref="CachedAnswers"/> answered to intent-cache-service's statistics, summed, once an interval
/// (and once more on the way out), so its lookups and hits include them. Hits it could not send are kept for the next.
/// </summary>
public sealed class CachedAnswerHitReporter(CachedAnswers answers, IServiceProvider services, IOptions<ChatServiceOptions> options)
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
        await ReportAsync(cancellationToken).ConfigureAwait(false);
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
            if (!await client.ReportHitsAsync(assistantId, hits, caller, cancellationToken).ConfigureAwait(false))
            {
                answers.ReturnHits(caller, assistantId, hits);
            }
        }
    }
}
