namespace Gateway.Limits;

/// <summary>Room for <paramref name="Cost"/> under a limit of <paramref name="Limit"/> per window, counted under <paramref name="Key"/>.</summary>
public sealed record LimitRequest(string Key, long Limit, long Cost);

/// <summary>
/// The outcome of asking for room: when refused, about the limit that refused (<see cref="Index"/> in the request
/// list); when admitted, about the tightest limit. <see cref="Reset"/> is when room next frees up; <see cref="Slot"/>
/// names where the costs were recorded, for settling them later. A value, not an object: the in-memory store and a
/// lease answer most requests at once, and then nothing is allocated for the answer.
/// </summary>
public readonly record struct LimitDecision(bool Allowed, long Limit, long Used, TimeSpan Reset, long Slot, int Index = 0)
{
    public long Remaining => Math.Max(0, Limit - Used);
}

/// <summary>
/// Sliding-window budgets: each admitted request holds its cost for one window. Requests count cost 1; token
/// reservations are settled to the real usage later or released (settled to zero) when nothing was used. Every
/// operation is atomic, so concurrent callers (and, with Redis, several gateway instances) never overshoot a limit.
/// </summary>
public interface ILimitStore
{
    /// <summary>
    /// All or none: the costs are recorded only when every limit has room, so a request refused by one limit
    /// takes nothing from the others. Keys asked for together should share the part before a '/', which keeps them
    /// together in a Redis Cluster.
    /// </summary>
    ValueTask<LimitDecision> TryAcquireAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window);

    /// <summary>
    /// Replaces an admitted cost with what was really used. While its slot is still in the window the difference is
    /// applied there; after that the real usage is charged to the current window, since it was spent all the same.
    /// </summary>
    Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window);
}

public static class LimitStoreExtensions
{
    public static ValueTask<LimitDecision> TryAcquireAsync(this ILimitStore store, string key, long limit, TimeSpan window, long cost) =>
        store.TryAcquireAsync([new LimitRequest(key, limit, cost)], window);
}
