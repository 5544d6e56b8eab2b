using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using IntentCacheService.Model;
using ServiceDefaults.Caching;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// Counters per owner and assistant, kept in Redis (shared by all instances) or memory. Counting is a local add on
/// the request path; <see cref="StatisticsFlusher"/> moves the sums to the store every second, and reading flushes
/// first, so this instance's own counts are always current and other instances' lag by at most a second.
/// </summary>
public sealed class CacheStatistics(IKeyValueStore store)
{
    public const string Lookups = "lookups";
    public const string Hits = "hits";
    public const string Misses = "misses";
    public const string Stores = "stores";
    public const string FalseHits = "false_hits";

    // Keyed by the parts, not the Redis key: no string is built on the request path.
    private readonly ConcurrentDictionary<(string Owner, string Assistant, string Counter), StrongBox<long>> _pending = new();

    public void Count(string ownerId, string assistantId, string counter, long amount = 1)
    {
        var box = _pending.GetOrAdd((ownerId, assistantId, counter), _ => new StrongBox<long>());
        Interlocked.Add(ref box.Value, amount);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (parts, box) in _pending)
        {
            var n = Interlocked.Exchange(ref box.Value, 0);
            if (n == 0)
            {
                continue;
            }
            try
            {
                await store.IncrementAsync(CacheKeys.Counter(parts.Owner, parts.Assistant, parts.Counter), n, null, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception)
            {
                Interlocked.Add(ref box.Value, n); // Keep the counts for the next flush.
                throw;
            }
        }
    }

    public async Task DeleteAsync(string ownerId, string assistantId, CancellationToken cancellationToken)
    {
        foreach (var counter in new[] { Lookups, Hits, Misses, Stores, FalseHits })
        {
            _pending.TryRemove((ownerId, assistantId, counter), out _);
            await store.DeleteAsync(CacheKeys.Counter(ownerId, assistantId, counter), cancellationToken).ConfigureAwait(false);
        }
    }

    public static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);

    public async Task<AssistantCacheStats> ReadAsync(string ownerId, string assistantId, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var reads = new[] { Lookups, Hits, Misses, Stores, FalseHits }
            .Select(c => store.GetAsync(CacheKeys.Counter(ownerId, assistantId, c), cancellationToken))
            .ToArray();
        var values = (await Task.WhenAll(reads).ConfigureAwait(false))
            .Select(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .ToArray();
        return new AssistantCacheStats(
            assistantId, values[0], values[1], values[2], values[3], Rate(values[1], values[0]), values[4], Rate(values[4], values[1]));
    }
}

/// <summary>Moves counted statistics to the store every second, and once more on shutdown.</summary>
public sealed partial class StatisticsFlusher(CacheStatistics statistics, ILogger<StatisticsFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushQuietlyAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushQuietlyAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await statistics.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFlushFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache statistics could not be written; they are kept for the next try")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
