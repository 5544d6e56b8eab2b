namespace Gateway.Model;

public sealed class User
{
    public required string Id { get; init; }

    public required string Name { get; set; }

    /// <summary>Lower-cased, so that lookups and the unique index ignore case.</summary>
    public required string Email { get; set; }

    /// <summary>PBKDF2 in the self-describing form <see cref="Services.PasswordHasher"/> writes.</summary>
    public required string PasswordHash { get; set; }

    public long CreatedAt { get; init; }
}
