namespace Gateway.Model;

/// <summary>
/// One refresh token of a rotation family. Each refresh uses one up and issues the next in the same family, so a
/// token presented twice means it leaked: the whole family is revoked.
/// </summary>
public sealed class RefreshToken
{
    public required string Id { get; init; }

    public required string UserId { get; init; }

    public required string FamilyId { get; init; }

    /// <summary>SHA-256 of the token; the token itself is never stored.</summary>
    public required string TokenHash { get; init; }

    public long CreatedAt { get; init; }

    public long ExpiresAt { get; init; }

    public long? UsedAt { get; set; }

    public long? RevokedAt { get; set; }
}
