using DeployGen.Manifest;
using k8s;
using k8s.Models;

namespace DeployGen.Kubernetes;

/// <summary>Redis and PostgreSQL in the cluster (StatefulSet with a volume), or as names for managed servers.</summary>
public static class BackingObjects
{
    private const string Component = "backing";
    private const string Data = "data";

    public static IEnumerable<IKubernetesObject> InCluster(BackingService backing)
    {
        yield return StatefulSet(backing, backing.Kind == BackingKind.Postgres ? Sizing.Postgres : Sizing.Redis);
        yield return Service(backing, managedHost: null);
        yield return OnlyFromApps(backing);
    }

    /// <summary>Only the platform's own services may connect: the in-cluster servers may run without a password.</summary>
    private static V1NetworkPolicy OnlyFromApps(BackingService backing) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Hardening.Meta(backing.Name, Component),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = Hardening.Labels(backing.Name) },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer
                        {
                            PodSelector = new V1LabelSelector { MatchLabels = Hardening.AppComponent },
                        },
                    ],
                    Ports = [new V1NetworkPolicyPort { Port = backing.Kind.Key, Protocol = "TCP" }],
                },
            ],
        },
    };

    /// <summary>
    /// The same Service name resolving to a managed server: services keep their connection strings, and the overlay
    /// that uses this names the real host.
    /// </summary>
    public static IKubernetesObject Managed(BackingService backing) =>
        Service(backing, managedHost: $"{backing.Name}.managed.example.invalid");

    private static V1StatefulSet StatefulSet(BackingService backing, Sizing sizing) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = Hardening.Meta(backing.Name, Component),
        Spec = new V1StatefulSetSpec
        {
            ServiceName = backing.Name,
            Replicas = 1,
            Selector = new V1LabelSelector { MatchLabels = Hardening.Labels(backing.Name) },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = Hardening.Meta(backing.Name, Component).Labels },
                Spec = new V1PodSpec
                {
                    AutomountServiceAccountToken = false,
                    SecurityContext = Hardening.Pod(backing.Kind.RunAsUser),
                    Containers = [Container(backing, sizing)],
                    Volumes = backing.Kind == BackingKind.Postgres
                        ? [Hardening.Scratch(), Hardening.Scratch("run")]
                        : [Hardening.Scratch()],
                },
            },
            VolumeClaimTemplates =
            [
                new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = Data },
                    Spec = Hardening.Claim(sizing.Storage!),
                },
            ],
        },
    };

    private static V1Container Container(BackingService backing, Sizing sizing)
    {
        var kind = backing.Kind;
        var container = new V1Container
        {
            Name = kind.Key,
            Image = kind.Image,
            ImagePullPolicy = "IfNotPresent",
            Ports = [new V1ContainerPort { Name = kind.Key, ContainerPort = kind.Port, Protocol = "TCP" }],
            Resources = Hardening.Resources(sizing),
            SecurityContext = Hardening.Container(),
            LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = kind.Key }, PeriodSeconds = 10 },
            VolumeMounts = [new V1VolumeMount { Name = Data, MountPath = kind.DataPath }, Hardening.ScratchMount()],
        };
        return kind == BackingKind.Postgres ? Postgres(container, backing.PasswordParameter) : Redis(container, backing.PasswordParameter);
    }

    private static V1Container Redis(V1Container container, string? password)
    {
        var variable = "REDIS_PASSWORD";
        container.Command = ["redis-server"];
        container.Args = ["--appendonly", "yes", "--dir", BackingKind.Redis.DataPath, "--port", $"{BackingKind.Redis.Port}",
            .. password is null ? ["--protected-mode", "no"] : new[] { "--requirepass", $"$({variable})" }];
        container.Env = password is null ? null : [AppObjects.FromSecret(variable, password)];
        container.ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "redis" }, PeriodSeconds = 5 };
        return container;
    }

    private static V1Container Postgres(V1Container container, string? password)
    {
        container.Env =
        [
            // A subdirectory, because a fresh volume's root holds lost+found and initdb wants an empty directory.
            new V1EnvVar { Name = "PGDATA", Value = $"{BackingKind.Postgres.DataPath}/pgdata" },
            password is null
                ? new V1EnvVar { Name = "POSTGRES_HOST_AUTH_METHOD", Value = "trust" }
                : AppObjects.FromSecret("POSTGRES_PASSWORD", password),
        ];
        container.ReadinessProbe = new V1Probe
        {
            Exec = new V1ExecAction { Command = ["pg_isready", "-U", "postgres", "-h", "127.0.0.1"] },
            PeriodSeconds = 5,
        };
        container.VolumeMounts.Add(Hardening.ScratchMount("/var/run/postgresql", "run"));
        return container;
    }

    private static V1Service Service(BackingService backing, string? managedHost) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Hardening.Meta(backing.Name, Component),
        Spec = new V1ServiceSpec
        {
            Type = managedHost is null ? "ClusterIP" : "ExternalName",
            ExternalName = managedHost,
            Selector = managedHost is null ? Hardening.Labels(backing.Name) : null,
            Ports =
            [
                new V1ServicePort
                {
                    Name = backing.Kind.Key,
                    Port = backing.Endpoint.ServicePort,
                    TargetPort = managedHost is null ? backing.Kind.Key : backing.Endpoint.ServicePort,
                    Protocol = "TCP",
                },
            ],
        },
    };
}
