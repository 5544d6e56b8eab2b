using System.Text.RegularExpressions;

namespace DeployGen.Manifest;

public sealed record AppService(
    string Name, IReadOnlyList<KeyValuePair<string, EnvValue>> Env,
    IReadOnlyList<KeyValuePair<string, ClusterEndpoint>> Ports)
{
    /// <summary>The port probes and clients use: the binding named http, else the first one.</summary>
    public KeyValuePair<string, ClusterEndpoint> Http => Ports.FirstOrDefault(p => p.Key == "http", Ports[0]);
}

public sealed record BackingService(string Name, BackingKind Kind, ClusterEndpoint Endpoint, string? PasswordParameter);

/// <summary>The AppHost's model as a cluster sees it: services, their stateful dependencies and the deploy-time inputs.</summary>
public sealed partial record Platform(
    IReadOnlyList<AppService> Apps, IReadOnlyList<BackingService> Backing, string Entry, IReadOnlyList<string> Parameters)
{
    private static readonly string[] Understood =
    [
        ResourceTypes.Project, ResourceTypes.ProjectV1, ResourceTypes.Executable, ResourceTypes.Container,
        ResourceTypes.ContainerV1, ResourceTypes.Parameter, ResourceTypes.Value,
    ];

    public static Platform From(AspireManifest manifest)
    {
        // A resource of another kind (a Dockerfile build, a cloud resource) would silently be missing from the cluster.
        if (manifest.Resources.FirstOrDefault(r => !Understood.Contains(r.Value.Type)) is { Key: { } unknown, Value: { } other })
        {
            throw new ManifestException($"\"{unknown}\" is a {other.Type} resource, which DeployGen does not turn into Kubernetes objects.");
        }
        var backingKinds = new Dictionary<string, BackingKind>();
        foreach (var (name, resource) in manifest.OfType(ResourceTypes.Executable, ResourceTypes.Container, ResourceTypes.ContainerV1))
        {
            backingKinds[name] = BackingKind.Recognise(name, resource) ?? throw new ManifestException(
                $"\"{name}\" ({resource.Command ?? resource.Image}) is neither Redis nor PostgreSQL; DeployGen knows no image for it.");
        }

        ClusterEndpoint EndpointOf(string name, string bindingName)
        {
            var resource = manifest[name];
            if (!resource.Bindings.TryGetValue(bindingName, out var binding))
            {
                throw new ManifestException($"\"{name}\" has no binding \"{bindingName}\".");
            }
            if (backingKinds.TryGetValue(name, out var kind))
            {
                // The target port is where the local process listened; in the cluster the image's own port serves.
                return new ClusterEndpoint(name, binding.Scheme, binding.Port ?? kind.Port, kind.Port);
            }
            var containerPort = binding.TargetPort ?? ClusterEndpoint.DefaultProjectPort;
            return new ClusterEndpoint(name, binding.Scheme, binding.Port ?? containerPort, containerPort);
        }

        var resolver = new ExpressionResolver(manifest, EndpointOf);
        var apps = manifest.OfType(ResourceTypes.Project, ResourceTypes.ProjectV1).Select(p => new AppService(
            p.Name,
            p.Resource.Env.Select(e => KeyValuePair.Create(e.Key, resolver.Resolve(e.Value))).ToList(),
            p.Resource.Bindings.Count == 0
                ? throw new ManifestException($"\"{p.Name}\" has no endpoint; give it one with WithHttpEndpoint().")
                : p.Resource.Bindings.Keys.Select(b => KeyValuePair.Create(b, EndpointOf(p.Name, b))).ToList())).ToList();

        var backing = backingKinds.Select(b => new BackingService(
            b.Key, b.Value, EndpointOf(b.Key, manifest[b.Key].Bindings.Keys.FirstOrDefault()
                ?? throw new ManifestException($"\"{b.Key}\" has no endpoint.")),
            PasswordOf(manifest, resolver, b.Key))).ToList();

        var parameters = apps.SelectMany(a => a.Env).SelectMany(e => e.Value.ParameterNames)
            .Concat(backing.Select(b => b.PasswordParameter).OfType<string>())
            .Distinct().Order(StringComparer.Ordinal).ToList();

        return new Platform(apps, backing, EntryOf(manifest, apps), parameters);
    }

    /// <summary>The one service the outside reaches: the project with external bindings, else the one called gateway.</summary>
    private static string EntryOf(AspireManifest manifest, IReadOnlyList<AppService> apps)
    {
        var external = apps.Where(a => manifest[a.Name].Bindings.Values.Any(b => b.External)).Select(a => a.Name).ToList();
        return external switch
        {
            [var only] => only,
            [] when apps.Any(a => a.Name == "gateway") => "gateway",
            [] => throw new ManifestException("No project has an external endpoint; mark the entry with WithExternalHttpEndpoints()."),
            _ => throw new ManifestException($"Only one service may face the outside, but {string.Join(", ", external)} do."),
        };
    }

    /// <summary>
    /// The parameter that holds a server's password: its own *PASSWORD* variable, else the Password= of a connection
    /// string pointing at it. None means the server runs without one (reachable only inside the cluster).
    /// </summary>
    private static string? PasswordOf(AspireManifest manifest, ExpressionResolver resolver, string name)
    {
        var own = manifest[name].Env
            .Where(e => e.Key.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase))
            .Select(e => resolver.Resolve(e.Value).SoleParameter).FirstOrDefault(p => p is not null);
        if (own is not null)
        {
            return own;
        }
        return manifest.Resources.Values
            .Select(r => r.ConnectionString)
            .Where(c => c is not null && c.Contains($"{{{name}.bindings.", StringComparison.Ordinal))
            .Select(c => PasswordPart().Match(c!))
            .Where(m => m.Success)
            .Select(m => resolver.Resolve(m.Groups[1].Value).SoleParameter)
            .FirstOrDefault(p => p is not null);
    }

    [GeneratedRegex(@"password=(\{[^}]+\})", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();
}
