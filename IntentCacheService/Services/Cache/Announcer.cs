using ServiceDefaults.Caching;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// The bus's announcement with this service's log line: the other instances catch up when their copies expire (a
/// trained intent set after IntentCache:IntentSetCacheDuration, a near-cached answer after IntentCache:NearCacheDuration;
/// cached answers themselves live under Redis's generation counter).
/// </summary>
public sealed partial class Announcer(IMessageBus bus, ILogger<Announcer> logger)
{
    public Task TellOthersAsync(string channel, string message, CancellationToken cancellationToken) =>
        bus.AnnounceAsync(channel, message, ex => LogNotAnnounced(logger, ex, channel, message), cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not announce {Channel} ({Message}) to the other instances; they catch up when their cached copies expire")]
    private static partial void LogNotAnnounced(ILogger logger, Exception exception, string channel, string message);
}
