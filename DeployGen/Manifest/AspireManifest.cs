using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeployGen.Manifest;

/// <summary>The parts of Aspire's deployment manifest (manifest publisher, schema v0) that a cluster needs.</summary>
public sealed record AspireManifest(IReadOnlyDictionary<string, ManifestResource> Resources)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static AspireManifest Parse(string json)
    {
        var document = JsonSerializer.Deserialize<ManifestDocument>(json, Json)
            ?? throw new ManifestException("The manifest is empty.");
        if (document.Resources is null || document.Resources.Count == 0)
        {
            throw new ManifestException("The manifest has no \"resources\".");
        }
        return new AspireManifest(document.Resources);
    }

    public static AspireManifest Load(string path) => Parse(File.ReadAllText(path));

    public ManifestResource this[string name] => Resources.TryGetValue(name, out var resource)
        ? resource
        : throw new ManifestException($"The manifest refers to a resource \"{name}\" it does not define.");

    /// <summary>Resources of one kind in the manifest's order (the AppHost's order), which keeps the output stable.</summary>
    public IEnumerable<(string Name, ManifestResource Resource)> OfType(params string[] types) =>
        Resources.Where(r => types.Contains(r.Value.Type)).Select(r => (r.Key, r.Value));

    private sealed record ManifestDocument(Dictionary<string, ManifestResource>? Resources);
}

public sealed record ManifestResource
{
    public required string Type { get; init; }
    public string? ConnectionString { get; init; }
    public string? Value { get; init; }
    public string? Command { get; init; }
    public string? Image { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, ManifestBinding> Bindings { get; init; } = new Dictionary<string, ManifestBinding>();
    public IReadOnlyDictionary<string, ManifestInput> Inputs { get; init; } = new Dictionary<string, ManifestInput>();
}

public sealed record ManifestBinding
{
    public string Scheme { get; init; } = "tcp";
    public int? Port { get; init; }
    public int? TargetPort { get; init; }
    public bool External { get; init; }
}

public sealed record ManifestInput
{
    public bool Secret { get; init; }
    [JsonPropertyName("default")]
    public ManifestInputDefault? Default { get; init; }
}

public sealed record ManifestInputDefault(string? Value);

public static class ResourceTypes
{
    public const string Project = "project.v0";
    public const string ProjectV1 = "project.v1";
    public const string Executable = "executable.v0";
    public const string Container = "container.v0";
    public const string ContainerV1 = "container.v1";
    public const string Parameter = "parameter.v0";
    public const string Value = "value.v0";
}

/// <summary>A manifest the generator cannot turn into Kubernetes objects; the message says what to change.</summary>
public sealed class ManifestException(string message) : Exception(message);
