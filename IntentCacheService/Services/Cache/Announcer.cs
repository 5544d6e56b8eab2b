using ServiceDefaults.Caching;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// Tells this service's other instances about a change already stored (intents-changed, intent-cache-flushed,
/// intent-cache-evicted). A message that cannot be sent (Redis slow, refusing or gone) is logged, not turned into a
/// failed request: the change happened, a client retrying it would only change it again, and the other instances catch
/// up anyway when their copies expire (a trained intent set after IntentCache:IntentSetCacheDuration, a near-cached
/// answer after IntentCache:NearCacheDuration; cached answers themselves live under Redis's generation counter).
/// </summary>
public sealed partial class Announcer(IMessageBus bus, ILogger<Announcer> logger)
{
    public async Task TellOthersAsync(string channel, string message, CancellationToken cancellationToken)
    {
        try
        {
            await bus.PublishAsync(channel, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotAnnounced(logger, ex, channel, message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not announce {Channel} ({Message}) to the other instances; they catch up when their cached copies expire")]
    private static partial void LogNotAnnounced(ILogger logger, Exception exception, string channel, string message);
}
