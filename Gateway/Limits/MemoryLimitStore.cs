using System.Collections.Concurrent;

namespace Gateway.Limits;

/// <summary>Limits in process memory: exact for one gateway instance, the default when Redis is not configured.</summary>
public sealed class MemoryLimitStore(TimeProvider time) : ILimitStore
{
    private static readonly TimeSpan IdleAfter = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _operations;

    public Task<LimitDecision> TryAcquireAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var widthMs = LimitBuckets.WidthMs(window);
        var windows = new Window[limits.Count];
        var order = new int[limits.Count];
        for (var i = 0; i < limits.Count; i++)
        {
            windows[i] = Get(limits[i].Key, now);
            order[i] = i;
        }
        // Locks are taken in key order, so two requests naming the same keys cannot wait on each other.
        Array.Sort(order, (a, b) => string.CompareOrdinal(limits[a].Key, limits[b].Key));
        var taken = 0;
        try
        {
            foreach (var i in order)
            {
                Monitor.Enter(windows[i]);
                taken++;
            }
            for (var i = 0; i < limits.Count; i++)
            {
                if (windows[i].Refuse(limits[i], widthMs, now) is { } refused)
                {
                    return Task.FromResult(refused with { Index = i });
                }
            }
            LimitDecision? tightest = null;
            for (var i = 0; i < limits.Count; i++)
            {
                var admitted = windows[i].Admit(limits[i], widthMs, now) with { Index = i };
                tightest = tightest is null || admitted.Remaining < tightest.Remaining ? admitted : tightest;
            }
            return Task.FromResult(tightest!);
        }
        finally
        {
            for (var k = taken - 1; k >= 0; k--)
            {
                Monitor.Exit(windows[order[k]]);
            }
        }
    }

    public Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var entries = Get(key, now);
        lock (entries)
        {
            entries.Settle(slot, actualCost - reservedCost, actualCost, LimitBuckets.WidthMs(window), now);
        }
        return Task.CompletedTask;
    }

    private Window Get(string key, long now)
    {
        if (Interlocked.Increment(ref _operations) % 10_000 == 0)
        {
            Sweep(now);
        }
        return _windows.GetOrAdd(key, static _ => new Window());
    }

    /// <summary>Drops windows untouched for an hour, so idle keys and IPs do not pile up.</summary>
    private void Sweep(long now)
    {
        foreach (var (key, entries) in _windows)
        {
            if (now - Volatile.Read(ref entries.LastUsedMs) > IdleAfter.TotalMilliseconds)
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(key, entries));
            }
        }
    }

    /// <summary>One limit's buckets as a ring: slot i holds bucket i, i + Span, ... whichever is live.</summary>
    private sealed class Window
    {
        private readonly long[] _bucket = new long[LimitBuckets.Span];
        private readonly long[] _cost = new long[LimitBuckets.Span];
        private long _used;
        public long LastUsedMs;

        /// <summary>The refusal when <paramref name="request"/> does not fit, null when it does (nothing is recorded).</summary>
        public LimitDecision? Refuse(LimitRequest request, long widthMs, long now)
        {
            var current = now / widthMs;
            Prune(current);
            LastUsedMs = now;
            return _used + request.Cost > request.Limit
                ? new LimitDecision(false, request.Limit, _used, TimeUntil(request.Limit - request.Cost, widthMs, now), current)
                : null;
        }

        public LimitDecision Admit(LimitRequest request, long widthMs, long now)
        {
            var current = now / widthMs;
            Add(current, request.Cost);
            return new LimitDecision(true, request.Limit, _used,
                TimeSpan.FromMilliseconds(LimitBuckets.ExpiresAtMs(Oldest(current), widthMs) - now), current);
        }

        public void Settle(long bucket, long difference, long actual, long widthMs, long now)
        {
            var current = now / widthMs;
            Prune(current);
            LastUsedMs = now;
            if (bucket > current - LimitBuckets.Span && _bucket[Slot(bucket)] == bucket && _cost[Slot(bucket)] != 0)
            {
                _cost[Slot(bucket)] += difference;
                _used += difference;
            }
            else if (actual > 0)
            {
                Add(current, actual);
            }
        }

        private void Add(long bucket, long cost)
        {
            var slot = Slot(bucket);
            if (_bucket[slot] != bucket)
            {
                _bucket[slot] = bucket;
                _cost[slot] = 0;
            }
            _cost[slot] += cost;
            _used += cost;
        }

        private void Prune(long current)
        {
            for (var slot = 0; slot < _bucket.Length; slot++)
            {
                if (_cost[slot] != 0 && _bucket[slot] <= current - LimitBuckets.Span)
                {
                    _used -= _cost[slot];
                    _cost[slot] = 0;
                }
            }
        }

        private long Oldest(long current)
        {
            for (var bucket = current - LimitBuckets.Span + 1; bucket < current; bucket++)
            {
                if (_bucket[Slot(bucket)] == bucket && _cost[Slot(bucket)] != 0)
                {
                    return bucket;
                }
            }
            return current;
        }

        /// <summary>How long until the window holds at most <paramref name="target"/>, as buckets age out.</summary>
        private TimeSpan TimeUntil(long target, long widthMs, long now)
        {
            var current = now / widthMs;
            var used = _used;
            for (var bucket = current - LimitBuckets.Span + 1; bucket <= current && used > target; bucket++)
            {
                if (_bucket[Slot(bucket)] == bucket)
                {
                    used -= _cost[Slot(bucket)];
                    if (used <= target)
                    {
                        return TimeSpan.FromMilliseconds(LimitBuckets.ExpiresAtMs(bucket, widthMs) - now);
                    }
                }
            }
            return TimeSpan.FromMilliseconds(Math.Max(0, LimitBuckets.ExpiresAtMs(current, widthMs) - now));
        }

        private static int Slot(long bucket) => (int)(((bucket % LimitBuckets.Span) + LimitBuckets.Span) % LimitBuckets.Span);
    }
}
