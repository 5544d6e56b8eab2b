namespace DeployGen.Kubernetes;

/// <summary>
/// How many of a workload run, what each may use and how much disk it keeps. Numbers are starting points for an
/// overlay to tune.
/// </summary>
public sealed record Sizing(
    string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit,
    int Replicas = 1, int MaxReplicas = 1, string? Storage = null)
{
    public bool Autoscaled => MaxReplicas > Replicas || Replicas > 1;

    private static readonly Sizing DefaultApp = new("100m", "256Mi", "1", "512Mi");

    // Gateway and chat carry every request, so they run two and scale on CPU; document and intent services load the
    // sentence-embedding model (~170 MB) and need the memory for it.
    private static readonly Dictionary<string, Sizing> Known = new()
    {
        ["gateway"] = new("100m", "192Mi", "1", "512Mi", Replicas: 2, MaxReplicas: 6),
        ["chat-service"] = new("100m", "256Mi", "1", "768Mi", Replicas: 2, MaxReplicas: 8),
        // Document blobs go to files under .data/ unless an S3 bucket is configured: a volume keeps them.
        ["document-service"] = new("100m", "512Mi", "1", "1536Mi", Storage: "5Gi"),
        ["intent-cache-service"] = new("100m", "384Mi", "1", "1Gi"),
        ["voice-service"] = new("100m", "256Mi", "1", "768Mi"),
    };

    public static Sizing ForApp(string name) => Known.GetValueOrDefault(name, DefaultApp);

    public static readonly Sizing Redis = new("50m", "64Mi", "500m", "512Mi", Storage: "1Gi");
    public static readonly Sizing Postgres = new("100m", "256Mi", "1", "1Gi", Storage: "5Gi");
}
