using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Discovery;

public static class ServiceDiscoveryExtensions
{
    public static IHostApplicationBuilder AddServiceDiscovery(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<ServiceEndpointResolver>();
        builder.Services.TryAddTransient<ServiceDiscoveryHandler>();
        return builder;
    }

    public static IHttpClientBuilder AddServiceDiscovery(this IHttpClientBuilder http) =>
        http.AddHttpMessageHandler<ServiceDiscoveryHandler>();
}

/// <summary>
/// Rewrites http://{service}/... to the address configuration gives for that service. It sits inside the resilience
/// handler and keeps the logical address, so that each retry resolves afresh and can reach another endpoint.
/// </summary>
internal sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<Uri> LogicalUri = new("ServiceDefaults.LogicalUri");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri)
        {
            if (!request.Options.TryGetValue(LogicalUri, out var logical))
            {
                logical = uri;
                request.Options.Set(LogicalUri, logical);
            }
            request.RequestUri = resolver.Resolve(logical);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
