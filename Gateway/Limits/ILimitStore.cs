namespace Gateway.Limits;

/// <summary>
/// The outcome of asking for room under a limit. <see cref="Reset"/> is when room next frees up; <see cref="Slot"/>
/// names where an admitted cost was recorded, for settling it later.
/// </summary>
public sealed record LimitDecision(bool Allowed, long Limit, long Used, TimeSpan Reset, long Slot)
{
    public long Remaining => Math.Max(0, Limit - Used);
}

/// <summary>
/// Sliding-window budgets: each admitted request holds its cost for one window. Requests count cost 1; token
/// reservations are settled to the real usage later or released when nothing was used. Every operation is atomic,
/// so concurrent callers (and, with Redis, several gateway instances) never overshoot a limit.
/// </summary>
public interface ILimitStore
{
    Task<LimitDecision> TryAcquireAsync(string key, long limit, TimeSpan window, long cost);

    /// <summary>
    /// Replaces an admitted cost with what was really used. While its slot is still in the window the difference is
    /// applied there; after that the real usage is charged to the current window, since it was spent all the same.
    /// </summary>
    Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window);
}
