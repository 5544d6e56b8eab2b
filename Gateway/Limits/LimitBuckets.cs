namespace Gateway.Limits;

/// <summary>
/// How both stores cut a window into buckets: a window of W is counted in <see cref="Span"/> buckets of
/// ceil(W / 60), and a cost recorded in a bucket is held until that bucket is <see cref="Span"/> buckets old. Memory
/// per limit is bounded by the bucket count, not by the traffic (a log of every request grew to hundreds of
/// thousands of entries per busy key), and since a cost is held between W and W + W/60, never less than W, the
/// window errs on the strict side: no span of W ever admits more than the limit.
/// </summary>
public static class LimitBuckets
{
    public const int PerWindow = 60;

    /// <summary>The live buckets: the current one and the <see cref="PerWindow"/> before it.</summary>
    public const int Span = PerWindow + 1;

    public static long WidthMs(TimeSpan window) => Math.Max(1, ((long)window.TotalMilliseconds + PerWindow - 1) / PerWindow);

    /// <summary>When a cost recorded in <paramref name="bucket"/> stops counting, in Unix milliseconds.</summary>
    public static long ExpiresAtMs(long bucket, long widthMs) => (bucket + Span) * widthMs;
}
