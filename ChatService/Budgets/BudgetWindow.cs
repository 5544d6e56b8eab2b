namespace ChatService.Budgets;

/// <summary>
/// How both stores count a window: in <see cref="Buckets"/> buckets of a 60th of the window each, a cost held until its
/// bucket is that many buckets old. A cost is so held for at least one whole window, which keeps the limit strict.
/// </summary>
internal static class BudgetWindow
{
    public const int Buckets = 61;

    public static long WidthMs(TimeSpan window) => Math.Max(1, ((long)window.TotalMilliseconds + 59) / 60);

    public static bool IsLive(long bucket, long current) => bucket > current - Buckets && bucket <= current;

    /// <summary>How much answer fits: the room after the prompt, at most <paramref name="maxOutput"/>.</summary>
    public static long OutputThatFits(long limit, long used, long prompt, long maxOutput) =>
        Math.Min(maxOutput, limit - used - prompt);
}
