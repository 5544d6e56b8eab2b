namespace Gateway.Limits;

/// <summary>Limits in process memory: exact for one gateway instance, the default when Redis is not configured.</summary>
public sealed class MemoryLimitStore(TimeProvider time) : ILimitStore
{
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _operations;

    public Task<LimitDecision> TryAcquireAsync(string key, long limit, TimeSpan window, long cost, string reservationId)
    {
        var now = time.GetUtcNow();
        var entries = Get(key, create: true)!;
        lock (entries)
        {
            entries.Prune(now - window);
            if (entries.Used + cost > limit)
            {
                return Task.FromResult(new LimitDecision(false, limit, entries.Used, entries.TimeUntilRoom(limit - cost, now, window)));
            }
            entries.Add(reservationId, cost, now);
            var reset = entries.Oldest is { } oldest ? oldest + window - now : window;
            return Task.FromResult(new LimitDecision(true, limit, entries.Used, reset));
        }
    }

    public Task SettleAsync(string key, string reservationId, long reservedCost, long actualCost, TimeSpan window)
    {
        if (Get(key, create: false) is { } entries)
        {
            lock (entries)
            {
                entries.Change(reservationId, actualCost);
            }
        }
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string key, string reservationId, long reservedCost) =>
        SettleAsync(key, reservationId, reservedCost, 0, TimeSpan.Zero);

    private Window? Get(string key, bool create)
    {
        lock (_windows)
        {
            if (++_operations % 10_000 == 0)
            {
                Sweep();
            }
            if (!_windows.TryGetValue(key, out var entries) && create)
            {
                entries = new Window();
                _windows[key] = entries;
            }
            return entries;
        }
    }

    /// <summary>Drops windows with nothing left in them, so idle keys and IPs do not pile up.</summary>
    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entries) in _windows.ToList())
        {
            lock (entries)
            {
                if (entries.IsIdleSince(now - TimeSpan.FromHours(1)))
                {
                    _windows.Remove(key);
                }
            }
        }
    }

    private sealed class Window
    {
        private readonly LinkedList<Entry> _order = new();
        private readonly Dictionary<string, LinkedListNode<Entry>> _byId = new(StringComparer.Ordinal);

        public long Used { get; private set; }

        public DateTimeOffset? Oldest => _order.First?.Value.At;

        public void Prune(DateTimeOffset before)
        {
            while (_order.First is { } first && first.Value.At <= before)
            {
                Used -= first.Value.Cost;
                _byId.Remove(first.Value.Id);
                _order.RemoveFirst();
            }
        }

        public void Add(string id, long cost, DateTimeOffset at)
        {
            _byId[id] = _order.AddLast(new Entry(id, cost, at));
            Used += cost;
        }

        public void Change(string id, long cost)
        {
            if (_byId.TryGetValue(id, out var node))
            {
                Used += cost - node.Value.Cost;
                node.Value = node.Value with { Cost = cost };
            }
        }

        /// <summary>How long until the window holds at most <paramref name="target"/>, as reservations age out.</summary>
        public TimeSpan TimeUntilRoom(long target, DateTimeOffset now, TimeSpan window)
        {
            var used = Used;
            foreach (var entry in _order)
            {
                used -= entry.Cost;
                if (used <= target)
                {
                    return entry.At + window - now;
                }
            }
            return window;
        }

        public bool IsIdleSince(DateTimeOffset before) => _order.Last is null || _order.Last.Value.At < before;
    }

    private sealed record Entry(string Id, long Cost, DateTimeOffset At);
}
