using System.ComponentModel.DataAnnotations;

namespace ServiceDefaults.Identity;

public sealed class IdentityOptions
{
    public const string SectionName = "Identity";

    /// <summary>
    /// The secret the gateway signs caller tokens with and services check them with. Without it no identity is
    /// accepted, so routes that need a caller answer 401.
    /// </summary>
    [MinLength(32)]
    public string? SigningKey { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(60);
}
