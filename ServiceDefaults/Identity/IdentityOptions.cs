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

    /// <summary>
    /// Whether requests may arrive with a caller token. The gateway, at the edge, sets this off in code: a token a
    /// client sends it is dropped unread, so it neither reaches a service nor tells the client it means anything.
    /// </summary>
    public bool AcceptCallerTokens { get; set; } = true;
}
