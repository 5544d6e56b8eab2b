using System.ComponentModel.DataAnnotations;

namespace Gateway.Auth;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// The HMAC key access tokens are signed with. When unset it is derived from Identity:SigningKey, so instances of
    /// one deployment agree without another secret; with neither, each process makes its own (one instance only).
    /// </summary>
    [MinLength(32)]
    public string? JwtSigningKey { get; set; }

    [Required]
    public string Issuer { get; set; } = "chatbot-gateway";

    [Required]
    public string Audience { get; set; } = "chatbot";

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most API keys one account holds at once (revoked ones do not count): each is a credential to look after.</summary>
    [Range(1, 100_000)]
    public int MaxKeysPerUser { get; set; } = 1000;

    /// <summary>PBKDF2-SHA512 rounds; OWASP's 2023 advice is 210,000.</summary>
    [Range(10_000, 10_000_000)]
    public int PasswordIterations { get; set; } = 210_000;
}
