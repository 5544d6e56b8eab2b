using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace ServiceDefaults.Discovery;

/// <summary>
/// Resolves logical service names (http://chat-service) to addresses from Aspire's configuration convention:
/// services__{name}__{scheme}__{index}. A name without configured endpoints is left alone, so that in Kubernetes
/// the cluster's DNS answers for it.
/// </summary>
public sealed class ServiceEndpointResolver
{
    private readonly IConfiguration _configuration;
    private readonly ConcurrentDictionary<string, int> _next = new(StringComparer.OrdinalIgnoreCase);

    // Every sibling call asks (identity propagation, then discovery): read configuration once per name, and again
    // only when it reloads.
    private readonly ConcurrentDictionary<(string Name, string Scheme), IReadOnlyList<Uri>> _endpoints = new();

    public ServiceEndpointResolver(IConfiguration configuration)
    {
        _configuration = configuration;
        ChangeToken.OnChange(configuration.GetReloadToken, _endpoints.Clear);
    }

    /// <summary>All configured endpoints of a service for a scheme, in index order.</summary>
    public IReadOnlyList<Uri> GetEndpoints(string serviceName, string scheme = "http") =>
        _endpoints.GetOrAdd((serviceName.ToLowerInvariant(), scheme.ToLowerInvariant()), key => Read(key.Name, key.Scheme));

    private List<Uri> Read(string serviceName, string scheme)
    {
        var section = _configuration.GetSection($"services:{serviceName}:{scheme}");
        var endpoints = new List<(int Index, Uri Uri)>();
        foreach (var child in section.GetChildren())
        {
            if (int.TryParse(child.Key, out var index) && Uri.TryCreate(child.Value, UriKind.Absolute, out var uri))
            {
                endpoints.Add((index, uri));
            }
        }
        return endpoints.OrderBy(e => e.Index).Select(e => e.Uri).ToList();
    }

    /// <summary>
    /// The address a request to <paramref name="logical"/> should go to; round-robin across a service's endpoints.
    /// Returns the input unchanged when its host is not a configured service.
    /// </summary>
    public Uri Resolve(Uri logical)
    {
        if (!logical.IsAbsoluteUri)
        {
            return logical;
        }

        var endpoints = GetEndpoints(logical.Host, logical.Scheme);
        if (endpoints.Count == 0)
        {
            return logical;
        }

        var turn = _next.AddOrUpdate(logical.Host, 0, (_, n) => unchecked(n + 1));
        var target = endpoints[(int)((uint)turn % (uint)endpoints.Count)];
        var builder = new UriBuilder(logical)
        {
            Scheme = target.Scheme,
            Host = target.Host,
            Port = target.Port,
        };
        var basePath = target.AbsolutePath.TrimEnd('/');
        if (basePath.Length > 0)
        {
            builder.Path = basePath + logical.AbsolutePath;
        }
        return builder.Uri;
    }
}
