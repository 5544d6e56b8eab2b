using DeployGen.Manifest;
using k8s;
using k8s.Models;

namespace DeployGen.Kubernetes;

/// <summary>The objects of one of the platform's own services: Deployment, Service and, when replicated, HPA and PDB.</summary>
public static class AppObjects
{
    private const string Component = Hardening.App;

    public static IEnumerable<IKubernetesObject> For(AppService app)
    {
        var sizing = Sizing.ForApp(app.Name);
        yield return Deployment(app, sizing);
        yield return Service(app);
        if (sizing.Storage is { } storage)
        {
            yield return DataClaim(app.Name, storage);
        }
        if (sizing.Autoscaled)
        {
            yield return Autoscaler(app.Name, sizing);
            yield return DisruptionBudget(app.Name);
        }
    }

    /// <summary>The env file a configMapGenerator turns into the service's ConfigMap: every value that holds no parameter.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ConfigEntries(AppService app) =>
        app.Env.Where(e => !e.Value.NeedsParameters).Select(e => KeyValuePair.Create(e.Key, e.Value.LiteralText));

    private static V1Deployment Deployment(AppService app, Sizing sizing) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Hardening.Meta(app.Name, Component),
        Spec = new V1DeploymentSpec
        {
            Replicas = sizing.Replicas,
            RevisionHistoryLimit = 5,
            Selector = new V1LabelSelector { MatchLabels = Hardening.Labels(app.Name) },
            // Replace one pod at a time and never drop below the wanted count while rolling out; a pod with a
            // volume of its own (ReadWriteOnce) must stop before its successor can mount it.
            Strategy = sizing.Storage is null
                ? new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
                }
                : new V1DeploymentStrategy { Type = "Recreate" },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = Hardening.Meta(app.Name, Component).Labels },
                Spec = new V1PodSpec
                {
                    AutomountServiceAccountToken = false,
                    SecurityContext = Hardening.Pod(Hardening.DotNetAppUser),
                    Containers = [Container(app, sizing)],
                    Volumes = sizing.Storage is null
                        ? [Hardening.Scratch()]
                        : [Hardening.Scratch(), DataVolumeOf(app.Name)],
                },
            },
        },
    };

    private static V1Container Container(AppService app, Sizing sizing)
    {
        var http = app.Http.Key;
        return new V1Container
        {
            Name = app.Name,
            Image = app.Name,
            ImagePullPolicy = "IfNotPresent",
            Ports = app.Ports.Select(p => new V1ContainerPort { Name = p.Key, ContainerPort = p.Value.ContainerPort, Protocol = "TCP" }).ToList(),
            EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = Names.Config(app.Name) } }],
            Env = ParameterEnv(app).ToList() is { Count: > 0 } env ? env : null,
            Resources = Hardening.Resources(sizing),
            SecurityContext = Hardening.Container(),
            // Startup allows a slow first start (schema creation, model load) without a liveness restart loop.
            StartupProbe = Probe("/alive", http, periodSeconds: 2, failureThreshold: 60),
            LivenessProbe = Probe("/alive", http, periodSeconds: 10, failureThreshold: 3),
            ReadinessProbe = Probe("/health", http, periodSeconds: 5, failureThreshold: 3),
            VolumeMounts = sizing.Storage is null
                ? [Hardening.ScratchMount()]
                : [Hardening.ScratchMount(), new V1VolumeMount { Name = DataVolume, MountPath = DataPath }],
        };
    }

    private const string DataVolume = "data";

    /// <summary>Where a service keeps files by default: .data/ under its content root, /app in the SDK's images.</summary>
    public const string DataPath = "/app/.data";

    private static string DataClaimName(string service) => $"{service}-data";

    private static V1Volume DataVolumeOf(string service) => new()
    {
        Name = DataVolume,
        PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = DataClaimName(service) },
    };

    private static V1PersistentVolumeClaim DataClaim(string service, string storage) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = Hardening.Meta(DataClaimName(service), Component),
        Spec = Hardening.Claim(storage),
    };

    /// <summary>
    /// Values that hold parameters: a whole parameter is read from the Secret; a value that mixes text and parameters
    /// reads each parameter into a variable first and lets Kubernetes expand $(variable) in it.
    /// </summary>
    private static IEnumerable<V1EnvVar> ParameterEnv(AppService app)
    {
        var withParameters = app.Env.Where(e => e.Value.NeedsParameters).ToList();
        var mixed = withParameters.Where(e => e.Value.SoleParameter is null).SelectMany(e => e.Value.ParameterNames)
            .Distinct().Order(StringComparer.Ordinal);
        foreach (var parameter in mixed)
        {
            yield return FromSecret(Names.ParameterVariable(parameter), parameter);
        }
        foreach (var (key, value) in withParameters)
        {
            yield return value.SoleParameter is { } sole
                ? FromSecret(key, sole)
                : new V1EnvVar { Name = key, Value = value.ToKubernetesExpansion(Names.ParameterVariable) };
        }
    }

    public static V1EnvVar FromSecret(string variable, string parameter) => new()
    {
        Name = variable,
        ValueFrom = new V1EnvVarSource
        {
            SecretKeyRef = new V1SecretKeySelector { Name = Names.ParametersSecret, Key = parameter },
        },
    };

    private static V1Probe Probe(string path, string port, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = port },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 3,
        FailureThreshold = failureThreshold,
    };

    private static V1Service Service(AppService app) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Hardening.Meta(app.Name, Component),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = Hardening.Labels(app.Name),
            Ports = app.Ports.Select(p => new V1ServicePort
            {
                Name = p.Key,
                Port = p.Value.ServicePort,
                TargetPort = p.Key,
                Protocol = "TCP",
            }).ToList(),
        },
    };

    private static V2HorizontalPodAutoscaler Autoscaler(string name, Sizing sizing) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = Hardening.Meta(name, Component),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
            MinReplicas = sizing.Replicas,
            MaxReplicas = sizing.MaxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource
                    {
                        Name = "cpu",
                        Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 70 },
                    },
                },
            ],
        },
    };

    private static V1PodDisruptionBudget DisruptionBudget(string name) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Hardening.Meta(name, Component),
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = 1,
            Selector = new V1LabelSelector { MatchLabels = Hardening.Labels(name) },
        },
    };
}
