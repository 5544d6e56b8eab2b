using k8s.Models;

namespace DeployGen.Kubernetes;

/// <summary>Every container runs as a non-root user on a read-only root file system; /tmp is the only scratch space.</summary>
public static class Hardening
{
    /// <summary>The `app` user of the .NET container images that `dotnet publish -t:PublishContainer` builds on.</summary>
    public const long DotNetAppUser = 1654;

    public static V1PodSecurityContext Pod(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        RunAsGroup = user,
        FsGroup = user,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    public static V1SecurityContext Container() => new()
    {
        ReadOnlyRootFilesystem = true,
        AllowPrivilegeEscalation = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    public static V1Volume Scratch(string name = "tmp") => new() { Name = name, EmptyDir = new V1EmptyDirVolumeSource() };

    public static V1VolumeMount ScratchMount(string path = "/tmp", string name = "tmp") => new() { Name = name, MountPath = path };

    public static V1ResourceRequirements Resources(Sizing sizing) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(sizing.CpuRequest),
            ["memory"] = new(sizing.MemoryRequest),
        },
        Limits = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(sizing.CpuLimit),
            ["memory"] = new(sizing.MemoryLimit),
        },
    };

    /// <summary>A claim for a volume one pod writes (ReadWriteOnce).</summary>
    public static V1PersistentVolumeClaimSpec Claim(string storage) => new()
    {
        AccessModes = ["ReadWriteOnce"],
        Resources = new V1VolumeResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(storage) },
        },
    };

    public static Dictionary<string, string> Labels(string name) => new()
    {
        ["app.kubernetes.io/name"] = name,
    };

    public static V1ObjectMeta Meta(string name, string component) => new()
    {
        Name = name,
        Labels = new Dictionary<string, string>(Labels(name))
        {
            [ComponentLabel] = component,
            [PartOfLabel] = PartOf,
        },
    };

    /// <summary>The component label of the platform's own services.</summary>
    public const string App = "app";

    /// <summary>Selects the pods of the platform's own services.</summary>
    public static Dictionary<string, string> AppComponent => new() { [ComponentLabel] = App, [PartOfLabel] = PartOf };

    private const string ComponentLabel = "app.kubernetes.io/component";
    private const string PartOfLabel = "app.kubernetes.io/part-of";
    private const string PartOf = "chatbot";
}
