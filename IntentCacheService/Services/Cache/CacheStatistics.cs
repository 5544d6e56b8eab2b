using System.Globalization;
using IntentCacheService.Model;
using ServiceDefaults.Caching;

namespace IntentCacheService.Services.Cache;

/// <summary>Counters per owner and assistant, in Redis (shared by all instances) or memory.</summary>
public sealed class CacheStatistics(IKeyValueStore store)
{
    public const string Lookups = "lookups";
    public const string Hits = "hits";
    public const string Misses = "misses";
    public const string Stores = "stores";
    public const string FalseHits = "false_hits";

    public Task<long> CountAsync(string ownerId, string assistantId, string counter, CancellationToken cancellationToken = default) =>
        store.IncrementAsync(CacheKeys.Counter(ownerId, assistantId, counter), 1, null, cancellationToken);

    public async Task<AssistantCacheStats> ReadAsync(string ownerId, string assistantId, CancellationToken cancellationToken)
    {
        var reads = new[] { Lookups, Hits, Misses, Stores, FalseHits }
            .Select(c => store.GetAsync(CacheKeys.Counter(ownerId, assistantId, c), cancellationToken))
            .ToArray();
        var values = (await Task.WhenAll(reads).ConfigureAwait(false))
            .Select(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .ToArray();
        return new AssistantCacheStats(
            assistantId, values[0], values[1], values[2], values[3], values[0] == 0 ? 0 : Math.Round((double)values[1] / values[0], 4), values[4]);
    }
}
