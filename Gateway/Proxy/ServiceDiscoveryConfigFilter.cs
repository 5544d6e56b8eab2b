using ServiceDefaults.Discovery;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Proxy;

/// <summary>
/// Turns YARP destinations written as logical service addresses (http://chat-service) into the addresses service
/// discovery knows (services__chat-service__http__N), one destination per endpoint. A name with no configured
/// endpoints stays as written, for the cluster's DNS to answer (Kubernetes). Also refuses HashCookie affinity.
/// </summary>
public sealed class ServiceDiscoveryConfigFilter(ServiceEndpointResolver resolver) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        AffinityGuard.Check(cluster.ClusterId, cluster.SessionAffinity);
        if (cluster.Destinations is null)
        {
            return ValueTask.FromResult(cluster);
        }

        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, destination) in cluster.Destinations)
        {
            var endpoints = Uri.TryCreate(destination.Address, UriKind.Absolute, out var logical)
                ? resolver.GetEndpoints(logical.Host, logical.Scheme)
                : [];
            if (endpoints.Count == 0)
            {
                destinations[name] = destination;
                continue;
            }
            for (var i = 0; i < endpoints.Count; i++)
            {
                destinations[endpoints.Count == 1 ? name : $"{name}-{i}"] = destination with
                {
                    Address = endpoints[i].ToString(),
                    Host = destination.Host,
                };
            }
        }
        return ValueTask.FromResult(cluster with { Destinations = destinations });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}

/// <summary>
/// HashCookie session affinity needs System.IO.Hashing, which this platform's package source lacks: such requests
/// would fail with 502 after the backend ran. It is also YARP's default policy when affinity is enabled without one.
/// </summary>
public static class AffinityGuard
{
    public static void Check(string clusterId, SessionAffinityConfig? affinity)
    {
        if (affinity is { Enabled: true } && (string.IsNullOrEmpty(affinity.Policy)
            || string.Equals(affinity.Policy, "HashCookie", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException(
                $"Cluster '{clusterId}' enables HashCookie session affinity (also YARP's default policy), which needs the absent " +
                "System.IO.Hashing. Use \"Policy\": \"Cookie\" or \"ArrCookie\".");
        }
    }

    /// <summary>Checks the configuration before the app starts, so a bad setting stops start-up outright.</summary>
    public static void Check(IConfigurationSection reverseProxy)
    {
        foreach (var cluster in reverseProxy.GetSection("Clusters").GetChildren())
        {
            var affinity = cluster.GetSection("SessionAffinity");
            if (affinity.Exists())
            {
                Check(cluster.Key, new SessionAffinityConfig
                {
                    Enabled = affinity.GetValue<bool?>("Enabled"),
                    Policy = affinity["Policy"],
                });
            }
        }
    }
}
