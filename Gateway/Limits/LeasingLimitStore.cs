using System.Collections.Concurrent;

namespace Gateway.Limits;

/// <summary>What an earlier lease did not use: <see cref="Copies"/> copies of its costs, taken in bucket <see cref="Slot"/>.</summary>
public readonly record struct LeftOver(long Slot, long Copies);

/// <summary>Copies of a request's costs taken at once; the decision counts them all. They are good for <see cref="SlotLeft"/>.</summary>
public sealed record LimitLease(LimitDecision Decision, int Copies, TimeSpan SlotLeft);

/// <summary>
/// Redis limits without a round trip per request: when a caller's limits have room, one call takes several copies of
/// the request's cost (at most 1/<see cref="Share"/> of the room, at most the configured lease size) and this instance
/// admits the next requests from them. Copies are recorded in Redis in the current bucket, so a limit is never
/// exceeded across instances; they are used only while that bucket is current (a copy used later would age out
/// early), and what is left goes back to its bucket with the caller's next call or by the sweep a second later. The
/// price: while one instance holds unused copies another may refuse a request a little early, and the RateLimit
/// headers show each instance's view. When little room is left each call takes exactly one copy, as without leases.
/// </summary>
public sealed class LeasingLimitStore : ILimitStore, IDisposable
{
    /// <summary>A lease takes at most an eighth of what is left, so other instances still find room when it is busy.</summary>
    public const int Share = 8;

    private readonly RedisLimitStore _shared;
    private readonly TimeProvider _time;
    private readonly int _most;
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly ITimer _sweeper;

    /// <summary>What requests that waited for a hand-back find: no copies, so they go on to ask Redis.</summary>
    private static readonly LimitLease HandedBack = new(new LimitDecision(true, 0, 0, TimeSpan.Zero, 0), 0, TimeSpan.Zero);

    public LeasingLimitStore(RedisLimitStore shared, TimeProvider time, int most)
    {
        _shared = shared;
        _time = time;
        _most = most;
        _sweeper = time.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public ValueTask<LimitDecision> TryAcquireAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window)
    {
        if (_most <= 1 || limits.Count == 0)
        {
            return _shared.TryAcquireAsync(limits, window);
        }
        while (true)
        {
            // A caller's most specific key names its lease ("user:u/key:k" holds both the user's and the key's copies).
            var lease = _leases.GetOrAdd(limits[^1].Key, static _ => new Lease());
            lock (lease)
            {
                if (lease.Removed)
                {
                    continue;
                }
                if (lease.TryTake(limits, window, _time.GetTimestamp(), _time, out var decision))
                {
                    // A busy caller's next copies are asked for while a quarter of these is left, so its requests
                    // do not all stop to wait for Redis each time a lease runs out.
                    if (lease.RunningLow && lease.Pending is not { IsCompleted: false })
                    {
                        lease.Pending = Observed(FetchAsync(lease, limits, window, lease.TakeOwed()));
                    }
                    return new ValueTask<LimitDecision>(decision);
                }
                // One call to Redis at a time per caller: requests that find the lease empty meanwhile wait for its
                // copies instead of each taking a lease of their own that a burst's end would leave unused.
                if (lease.Pending is not { IsCompleted: false })
                {
                    lease.Pending = FetchAsync(lease, limits, window, lease.Release());
                }
                return new ValueTask<LimitDecision>(WaitAsync(lease.Pending, limits, window));
            }
        }
    }

    public Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window) =>
        _shared.SettleAsync(key, slot, reservedCost, actualCost, window);

    /// <summary>Hands back the copies of leases whose bucket has passed, and forgets callers gone quiet.</summary>
    public async Task SweepAsync()
    {
        var now = _time.GetTimestamp();
        var handingBack = new List<Task<LimitLease>>();   // and calls under way, so a sweep ends with them
        foreach (var (key, lease) in _leases)
        {
            lock (lease)
            {
                if (lease.Pending is { IsCompleted: false } pending)
                {
                    handingBack.Add(pending);   // a call under way carries the lease's leftovers itself
                    continue;
                }
                if (lease.Limits is null)
                {
                    continue;
                }
                var handBack = lease.ReleaseSpent(now);
                if (handBack.Copies > 0)
                {
                    // Pending, so the caller's next call to Redis waits until the copies are back and can find them.
                    lease.Pending = HandBackAsync(lease.Limits, lease.Window, handBack);
                    handingBack.Add(lease.Pending);
                }
                else if (lease.IsIdle(now, _time))
                {
                    lease.Removed = true;
                    _leases.TryRemove(new KeyValuePair<string, Lease>(key, lease));
                }
            }
        }
        await Task.WhenAll(handingBack).ConfigureAwait(false);
    }

    public void Dispose() => _sweeper.Dispose();

    private async Task<LimitLease> FetchAsync(Lease lease, IReadOnlyList<LimitRequest> limits, TimeSpan window, LeftOver handBack)
    {
        // The bucket's end is measured by Redis after this moment, so counting from here ends the lease early, never late.
        var asked = _time.GetTimestamp();
        var taken = await _shared.TryLeaseAsync(limits, window, _most, Share, handBack).ConfigureAwait(false);
        if (taken.Decision.Allowed)
        {
            lock (lease)
            {
                lease.Keep(limits, window, taken, asked, _time);
            }
        }
        return taken;
    }

    private async Task<LimitLease> HandBackAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window, LeftOver handBack)
    {
        foreach (var limit in limits)
        {
            // A hand-back Redis cannot take leaves the copies charged until the window passes: strict, not lost.
            await _shared.SettleAsync(limit.Key, handBack.Slot, handBack.Copies * limit.Cost, 0, window).ConfigureAwait(false);
        }
        return HandedBack;
    }

    /// <summary>
    /// A call no request waits for yet: should Redis fail it, the requests that find the lease empty later ask again
    /// (and meet the failure themselves), so the failure is noted here rather than left unobserved.
    /// </summary>
    private static Task<LimitLease> Observed(Task<LimitLease> call)
    {
        _ = call.ContinueWith(static c => _ = c.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return call;
    }

    /// <summary>A refusal answers every request that waited for it; copies are taken like any others.</summary>
    private async Task<LimitDecision> WaitAsync(Task<LimitLease> pending, IReadOnlyList<LimitRequest> limits, TimeSpan window)
    {
        var taken = await pending.ConfigureAwait(false);
        return taken.Decision.Allowed
            ? await TryAcquireAsync(limits, window).ConfigureAwait(false)
            : taken.Decision;
    }

    /// <summary>One caller's copies on this instance. Every member is used under a lock on the lease.</summary>
    private sealed class Lease
    {
        private long _slot;
        private long _left;
        private long _deadline;
        private long _used;
        private long _limit;
        private int _index;
        private long _resetAt;
        private long _lastUse;
        private long _lastCopies;
        private LeftOver _owed;

        public IReadOnlyList<LimitRequest>? Limits { get; private set; }

        public TimeSpan Window { get; private set; }

        public bool Removed { get; set; }

        /// <summary>The call to Redis this caller's requests wait for, if one is under way.</summary>
        public Task<LimitLease>? Pending { get; set; }

        public bool TryTake(IReadOnlyList<LimitRequest> limits, TimeSpan window, long now, TimeProvider time, out LimitDecision decision)
        {
            _lastUse = now;
            if (_left == 0 || now >= _deadline || !SameAs(limits, window))
            {
                decision = default;
                return false;
            }
            _left--;
            decision = new LimitDecision(true, _limit, _used - _left, Until(_resetAt, now, time), _slot, _index);
            return true;
        }

        /// <summary>A quarter or less left of a lease of several copies: time to ask for the next ones.</summary>
        public bool RunningLow => _left > 0 && _lastCopies >= 4 && _left * 4 <= _lastCopies;

        /// <summary>Copies owed from an earlier bucket, handed back with a call that keeps the lease's own.</summary>
        public LeftOver TakeOwed()
        {
            var owed = _owed;
            _owed = default;
            return owed;
        }

        /// <summary>The copies this lease no longer uses, to be handed back with the next call to Redis.</summary>
        public LeftOver Release()
        {
            var owed = TakeOwed();
            if (_left == 0)
            {
                return owed;
            }
            // Copies of two buckets at once are rare (two calls that crossed a bucket's end): the older stay charged.
            var current = new LeftOver(_slot, _left);
            _left = 0;
            return current;
        }

        public void Keep(IReadOnlyList<LimitRequest> limits, TimeSpan window, LimitLease taken, long asked, TimeProvider time)
        {
            var decision = taken.Decision;
            if (_left > 0 && (_slot != decision.Slot || !SameAs(limits, window)))
            {
                _owed = Release();
            }
            // The count Redis gave includes every copy still held here, so what has really been used is that less them.
            _used = _left > 0 ? Math.Max(_used, decision.Used) : decision.Used;
            _left += taken.Copies;
            _lastCopies = taken.Copies;
            (_slot, _limit, _index, Limits, Window) = (decision.Slot, decision.Limit, decision.Index, limits, window);
            _deadline = asked + (long)(taken.SlotLeft.TotalSeconds * time.TimestampFrequency);
            _resetAt = asked + (long)(decision.Reset.TotalSeconds * time.TimestampFrequency);
        }

        /// <summary>Copies owed from an earlier bucket, or else the lease's own once its bucket has passed.</summary>
        public LeftOver ReleaseSpent(long now)
        {
            if (_owed.Copies > 0)
            {
                return TakeOwed();
            }
            return _left > 0 && now >= _deadline ? Release() : default;
        }

        public bool IsIdle(long now, TimeProvider time) =>
            _left == 0 && _owed.Copies == 0 && time.GetElapsedTime(_lastUse, now) > TimeSpan.FromMinutes(1);

        private bool SameAs(IReadOnlyList<LimitRequest> limits, TimeSpan window)
        {
            if (ReferenceEquals(limits, Limits))
            {
                return window == Window;
            }
            if (Limits is null || limits.Count != Limits.Count || window != Window)
            {
                return false;
            }
            for (var i = 0; i < limits.Count; i++)
            {
                if (limits[i] != Limits[i])
                {
                    return false;
                }
            }
            return true;
        }

        private static TimeSpan Until(long at, long now, TimeProvider time) =>
            at > now ? TimeSpan.FromSeconds((double)(at - now) / time.TimestampFrequency) : TimeSpan.Zero;
    }
}
