namespace Gateway.Limits;

/// <summary>The outcome of asking for room under a limit. <see cref="Reset"/> is when room next frees up.</summary>
public sealed record LimitDecision(bool Allowed, long Limit, long Used, TimeSpan Reset)
{
    public long Remaining => Math.Max(0, Limit - Used);
}

/// <summary>
/// Sliding-window budgets: each admitted request holds a reservation of some cost for one window. Requests count
/// cost 1; token reservations are settled to the real usage later or released when nothing was used. Every
/// operation is atomic, so concurrent callers (and, with Redis, several gateway instances) never overshoot a limit.
/// </summary>
public interface ILimitStore
{
    Task<LimitDecision> TryAcquireAsync(string key, long limit, TimeSpan window, long cost, string reservationId);

    /// <summary>Replaces a reservation's cost with what was really used (it keeps its place in the window).</summary>
    Task SettleAsync(string key, string reservationId, long reservedCost, long actualCost, TimeSpan window);

    Task ReleaseAsync(string key, string reservationId, long reservedCost);
}
