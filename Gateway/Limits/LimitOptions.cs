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

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
