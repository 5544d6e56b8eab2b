using System.Collections.Concurrent;

namespace ChatService.Budgets;

/// <summary>Budgets in process memory: the embedded default, exact for the one chat-service process that owns them.</summary>
public sealed class MemoryTokenBudgetStore(TimeProvider time, TimeSpan window) : ITokenBudgetStore
{
    private readonly ConcurrentDictionary<string, Dictionary<long, long>> _budgets = new(StringComparer.Ordinal);
    private readonly long _widthMs = BudgetWindow.WidthMs(window);

    public Task<BudgetGrant> ReserveAsync(string key, long limit, long prompt, long maxOutput, long minOutput)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var current = now / _widthMs;
        var buckets = _budgets.GetOrAdd(key, _ => []);
        lock (buckets)
        {
            var used = Prune(buckets, current);
            var output = BudgetWindow.OutputThatFits(limit, used, prompt, maxOutput);
            if (output < minOutput)
            {
                var oldest = buckets.Count == 0 ? current : buckets.Keys.Min();
                return Task.FromResult(new BudgetGrant(false, 0, 0, current, used, limit,
                    TimeSpan.FromMilliseconds((oldest + BudgetWindow.Buckets) * _widthMs - now)));
            }
            var reserved = prompt + output;
            buckets[current] = buckets.GetValueOrDefault(current) + reserved;
            return Task.FromResult(new BudgetGrant(true, reserved, output, current, used + reserved, limit, TimeSpan.Zero));
        }
    }

    public Task SettleAsync(string key, BudgetGrant grant, long actual)
    {
        var current = time.GetUtcNow().ToUnixTimeMilliseconds() / _widthMs;
        var buckets = _budgets.GetOrAdd(key, _ => []);
        lock (buckets)
        {
            Prune(buckets, current);
            if (buckets.TryGetValue(grant.Bucket, out var cost))
            {
                buckets[grant.Bucket] = cost + actual - grant.Reserved;
            }
            else if (actual > 0)
            {
                // The reservation aged out before the answer ended: what was spent still counts, now.
                buckets[current] = buckets.GetValueOrDefault(current) + actual;
            }
        }
        return Task.CompletedTask;
    }

    private static long Prune(Dictionary<long, long> buckets, long current)
    {
        long used = 0;
        foreach (var (bucket, cost) in buckets)
        {
            if (BudgetWindow.IsLive(bucket, current))
            {
                used += cost;
            }
            else
            {
                buckets.Remove(bucket);
            }
        }
        return used;
    }
}
