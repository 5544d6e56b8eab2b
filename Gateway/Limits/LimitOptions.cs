using System.ComponentModel.DataAnnotations;

namespace Gateway.Limits;

public sealed class LimitOptions
{
    public const string SectionName = "Limits";

    /// <summary>Requests per minute from one IP without credentials (login and register: brute-force protection).</summary>
    [Range(1, 1_000_000)]
    public int AnonymousPerIpPerMinute { get; set; } = 20;

    /// <summary>Requests per minute per user, across the user's session and all the user's keys.</summary>
    [Range(1, 100_000_000)]
    public int UserRpm { get; set; } = 1200;

    /// <summary>
    /// With Redis: how many copies of a request's cost one gateway instance may take from Redis in one call, to admit
    /// a busy caller's next requests without a round trip each (1 asks Redis on every request). See LeasingLimitStore.
    /// </summary>
    [Range(1, 1000)]
    public int LeaseSize { get; set; } = 32;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Wrong passwords for one account (by e-mail, whether it exists or not) within <see cref="LoginFailureWindow"/>,
    /// from any address, before its logins are refused with 429 until the oldest failure ages out.
    /// </summary>
    [Range(1, 1_000_000)]
    public int LoginFailuresPerAccount { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(5);
}
