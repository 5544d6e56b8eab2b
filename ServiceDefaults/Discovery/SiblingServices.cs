using Microsoft.Extensions.Configuration;

namespace ServiceDefaults.Discovery;

/// <summary>
/// Which hosts are the platform's own services: those service discovery has configuration for
/// (services__{name}__{endpoint}__N, as Aspire sets it). Only they may receive the internal caller token.
/// </summary>
public sealed class SiblingServices(IConfiguration configuration)
{
    public bool IsSibling(Uri uri) =>
        uri.IsAbsoluteUri && configuration.GetSection("services").GetSection(uri.Host).Exists();
}
