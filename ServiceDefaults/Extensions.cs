using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Discovery;
using ServiceDefaults.Errors;
using ServiceDefaults.Health;
using ServiceDefaults.Hosting;
using ServiceDefaults.Identity;
using ServiceDefaults.Json;
using ServiceDefaults.Resilience;
using ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The surface of Aspire's ServiceDefaults, so that a real Aspire ServiceDefaults project can replace this one
/// without touching the services.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddServiceDiscovery();
        builder.AddStandardResilience();
        builder.AddApiErrors();
        builder.AddJsonDefaults();
        builder.AddCallerIdentity();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddOpenApi();
        builder.Services.AddTransient<IStartupFilter, ServiceDefaultsStartupFilter>();

        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // The factory's per-request log scopes and start/end lines cost every sibling call; the resilience
            // pipeline and each client log the failures that matter.
            http.RemoveAllLoggers();
            http.AddCallerIdentityPropagation();
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// Maps /health (every check) and /alive (the process only) in every environment, since probes need both, and
    /// the service's OpenAPI document at /openapi/v1.json, which the gateway gathers into one UI.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapOpenApi();
        return app;
    }
}
