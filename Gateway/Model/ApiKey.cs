namespace Gateway.Model;

public sealed class ApiKey
{
    public required string Id { get; init; }

    public required string UserId { get; init; }

    public required string Name { get; set; }

    /// <summary>SHA-256 of the secret. Secrets are long and random, so a fast hash is enough (no guessing).</summary>
    public required string SecretHash { get; init; }

    /// <summary>The first characters of the secret, so a user can tell keys apart in a list.</summary>
    public required string Prefix { get; init; }

    /// <summary>Comma-separated assistant ids the key may use; null means all the user's assistants.</summary>
    public string? Assistants { get; set; }

    public int? Rpm { get; set; }

    public int? Tpm { get; set; }

    public long CreatedAt { get; init; }

    public long? RevokedAt { get; set; }

    public IReadOnlyList<string>? AssistantList =>
        Assistants is null ? null : Assistants.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
