using System.Text.Json;
using ServiceDefaults.Json;

namespace IntentCacheService.Model;

/// <summary>
/// An assistant's intents as stored: one row per assistant, the intents themselves as JSON because they are always
/// read and written whole (a PUT replaces the set, and training needs all of it).
/// </summary>
public sealed class IntentSet
{
    public required string AssistantId { get; set; }

    /// <summary>The user who last defined the intents (the assistant's owner, as chat-service vouched).</summary>
    public required string OwnerId { get; set; }

    /// <summary>Null means the service's default threshold.</summary>
    public double? Threshold { get; set; }

    public required string IntentsJson { get; set; }

    public int Revision { get; set; }

    public long UpdatedAt { get; set; }

    public List<IntentDefinition> ReadIntents() =>
        JsonSerializer.Deserialize<List<IntentDefinition>>(IntentsJson, JsonDefaults.Options) ?? [];

    public static string WriteIntents(IReadOnlyList<IntentDefinition> intents) =>
        JsonSerializer.Serialize(intents, JsonDefaults.Options);
}

/// <summary>
/// One intent: its examples, an optional fixed answer (served as is, whatever the knowledge version), and whether
/// model answers to it may be cached at all (false for questions whose answer depends on who asks or when).
/// </summary>
public sealed record IntentDefinition(string Name, IReadOnlyList<string> Examples, string? Answer = null, bool Cacheable = true);
