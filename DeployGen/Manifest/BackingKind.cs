namespace DeployGen.Manifest;

/// <summary>
/// A stateful dependency the AppHost runs as a local executable (no container runtime there) and a cluster runs from
/// its official image. The image cannot be read from an executable resource, so the known ones are listed here.
/// </summary>
public sealed record BackingKind(string Key, string Image, int Port, string DataPath, long RunAsUser)
{
    public static readonly BackingKind Redis = new("redis", "docker.io/library/redis:7.4-alpine", 6379, "/data", 999);
    public static readonly BackingKind Postgres = new("postgres", "docker.io/library/postgres:15-alpine", 5432,
        "/var/lib/postgresql/data", 70);

    private static readonly BackingKind[] All = [Redis, Postgres];

    /// <summary>Recognises the kind from the image, the command or, failing those, the resource's name.</summary>
    public static BackingKind? Recognise(string name, ManifestResource resource)
    {
        string[] hints = [resource.Image ?? "", Path.GetFileName(resource.Command ?? ""), name];
        foreach (var hint in hints.Where(h => h.Length > 0))
        {
            var kind = All.FirstOrDefault(k => hint.Contains(k.Key, StringComparison.OrdinalIgnoreCase)
                || (k == Postgres && hint.StartsWith("pg_", StringComparison.OrdinalIgnoreCase)));
            if (kind is not null)
            {
                return kind;
            }
        }
        return null;
    }
}
