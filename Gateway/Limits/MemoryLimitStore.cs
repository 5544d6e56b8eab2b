using System.Collections.Concurrent;

namespace Gateway.Limits;

/// <summary>Limits in process memory: exact for one gateway instance, the default when Redis is not configured.</summary>
public sealed class MemoryLimitStore(TimeProvider time) : ILimitStore
{
    /// <summary>How often windows whose costs have all aged out are dropped.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _nextSweepMs;

    /// <summary>The windows kept now, one per limit key with costs that still count (or not yet swept).</summary>
    internal int WindowCount => _windows.Count;

    public ValueTask<LimitDecision> TryAcquireAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window)
    {
        for (var i = 0; i < limits.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(limits[i].Cost);
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var widthMs = LimitBuckets.WidthMs(window);
        // Locks are taken in key order, so two requests naming the same keys cannot wait on each other. The lists are
        // one or two long: an insertion sort on the stack, not an array and a comparer per request.
        Span<int> order = limits.Count <= 8 ? stackalloc int[limits.Count] : new int[limits.Count];
        for (var i = 0; i < order.Length; i++)
        {
            var j = i;
            for (; j > 0 && string.CompareOrdinal(limits[order[j - 1]].Key, limits[i].Key) > 0; j--)
            {
                order[j] = order[j - 1];
            }
            order[j] = i;
        }
        while (true)
        {
            var windows = new Window[limits.Count];
            for (var i = 0; i < windows.Length; i++)
            {
                windows[i] = Get(limits[i].Key, now);
            }
            var taken = 0;
            try
            {
                foreach (var i in order)
                {
                    Monitor.Enter(windows[i]);
                    taken++;
                }
                if (Array.Exists(windows, w => w.Removed))
                {
                    continue;   // swept between finding and locking it: find the key's window again
                }
                return new ValueTask<LimitDecision>(Decide(limits, windows, widthMs, now));
            }
            finally
            {
                for (var k = taken - 1; k >= 0; k--)
                {
                    Monitor.Exit(windows[order[k]]);
                }
            }
        }
    }

    public Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            var entries = Get(key, now);
            lock (entries)
            {
                if (!entries.Removed)
                {
                    entries.Settle(slot, actualCost - reservedCost, actualCost, LimitBuckets.WidthMs(window), now);
                    return Task.CompletedTask;
                }
            }
        }
    }

    /// <summary>All or none, under every window's lock: of the refusals the one that frees up last, else the tightest.</summary>
    private static LimitDecision Decide(IReadOnlyList<LimitRequest> limits, Window[] windows, long widthMs, long now)
    {
        LimitDecision? refused = null;
        for (var i = 0; i < limits.Count; i++)
        {
            if (windows[i].Refuse(limits[i], widthMs, now) is { } refusal && (refused is null || refusal.Reset > refused.Value.Reset))
            {
                refused = refusal with { Index = i };
            }
        }
        if (refused is { } refusedFirst)
        {
            return refusedFirst;
        }
        LimitDecision? tightest = null;
        for (var i = 0; i < limits.Count; i++)
        {
            var admitted = windows[i].Admit(limits[i], widthMs, now, i);
            tightest = tightest is null || admitted.Remaining < tightest.Value.Remaining ? admitted : tightest;
        }
        return tightest!.Value;
    }

    private Window Get(string key, long now)
    {
        // Read, not written, on every request: a counter shared by all of them would bounce between the cores.
        var next = Volatile.Read(ref _nextSweepMs);
        var interval = (long)SweepInterval.TotalMilliseconds;
        if ((now >= next || now < next - interval) && Interlocked.CompareExchange(ref _nextSweepMs, now + interval, next) == next)
        {
            Sweep(now);
        }
        return _windows.GetOrAdd(key, static (_, at) => new Window(at), now);
    }

    /// <summary>
    /// Drops windows whose every cost has aged out, so idle keys and IPs (a spray of addresses among them) do not
    /// pile up. A window is only dropped under its lock, marked so that a caller holding it looks again.
    /// </summary>
    private void Sweep(long now)
    {
        foreach (var (key, entries) in _windows)
        {
            lock (entries)
            {
                if (entries.IsSpentAt(now))
                {
                    entries.Removed = true;
                    _windows.TryRemove(new KeyValuePair<string, Window>(key, entries));
                }
            }
        }
    }

    /// <summary>One limit's buckets as a ring: slot i holds bucket i, i + Span, ... whichever is live.</summary>
    private sealed class Window(long createdMs)
    {
        private readonly long[] _bucket = new long[LimitBuckets.Span];
        private readonly long[] _cost = new long[LimitBuckets.Span];
        private long _used;
        private long _widthMs = 1;
        private long _prunedAt = long.MinValue;
        private long _lastUsedMs = createdMs;

        public bool Removed { get; set; }

        public bool IsSpentAt(long now) => now - _lastUsedMs > (LimitBuckets.Span + 1) * _widthMs;

        /// <summary>The refusal when <paramref name="request"/> does not fit, null when it does (nothing is recorded).</summary>
        public LimitDecision? Refuse(LimitRequest request, long widthMs, long now)
        {
            var current = Touch(widthMs, now);
            return _used + request.Cost > request.Limit
                ? new LimitDecision(false, request.Limit, _used, TimeUntil(request.Limit - request.Cost, widthMs, now), current)
                : null;
        }

        public LimitDecision Admit(LimitRequest request, long widthMs, long now, int index)
        {
            var current = now / widthMs;
            Add(current, request.Cost);
            return new LimitDecision(true, request.Limit, _used,
                TimeSpan.FromMilliseconds(LimitBuckets.ExpiresAtMs(Oldest(current), widthMs) - now), current, index);
        }

        public void Settle(long bucket, long difference, long actual, long widthMs, long now)
        {
            var current = Touch(widthMs, now);
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

        /// <summary>Ages the buckets to now and answers the current one.</summary>
        private long Touch(long widthMs, long now)
        {
            if (widthMs != _widthMs)
            {
                // Buckets of another width (the window setting changed) mean nothing now: start over.
                Array.Clear(_cost);
                _used = 0;
                _widthMs = widthMs;
                _prunedAt = long.MinValue;
            }
            var current = now / widthMs;
            // Within one bucket nothing ages out, and every cost recorded since is in a live bucket.
            if (current != _prunedAt)
            {
                Prune(current);
                _prunedAt = current;
            }
            _lastUsedMs = now;
            return current;
        }

        private void Add(long bucket, long cost)
        {
            var slot = Slot(bucket);
            if (_bucket[slot] != bucket)
            {
                _used -= _cost[slot];
                _bucket[slot] = bucket;
                _cost[slot] = 0;
            }
            _cost[slot] += cost;
            _used += cost;
        }

        // Aged out, or ahead of now (the clock stepped back): either way no longer counted.
        private void Prune(long current)
        {
            for (var slot = 0; slot < _bucket.Length; slot++)
            {
                if (_cost[slot] != 0 && (_bucket[slot] <= current - LimitBuckets.Span || _bucket[slot] > current))
                {
                    _used -= _cost[slot];
                    _cost[slot] = 0;
                }
            }
        }

        private long Oldest(long current)
        {
            // The ring's slots in bucket order, without a division per step.
            var slot = Slot(current - LimitBuckets.Span + 1);
            for (var bucket = current - LimitBuckets.Span + 1; bucket < current; bucket++)
            {
                if (_bucket[slot] == bucket && _cost[slot] != 0)
                {
                    return bucket;
                }
                slot = slot + 1 == LimitBuckets.Span ? 0 : slot + 1;
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
