using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ServiceDefaults.Discovery;
using ServiceDefaults.Errors;
using ServiceDefaults.Health;
using ServiceDefaults.Hosting;
using ServiceDefaults.Identity;
using ServiceDefaults.Json;
using ServiceDefaults.Resilience;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire's ServiceDefaults template (telemetry, health, service discovery, resilience) plus what every service of
/// this platform shares: one error shape per API family, snake_case JSON, the vouched caller and OpenAPI.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    /// <summary>The platform's own activity source and meter; services start spans from it.</summary>
    public const string PlatformSourceName = "Chatbot.Platform";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.AddSiblingResilience();
        builder.AddApiErrors();
        builder.AddJsonDefaults();
        builder.AddCallerIdentity();
        // Without servers, a client (and the gateway's UI) uses the address it fetched the document from; with them,
        // a document the gateway fetches from a sibling would name that sibling's internal address.
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear();
            return Task.CompletedTask;
        }));
        builder.Services.AddTransient<IStartupFilter, ServiceDefaultsStartupFilter>();

        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // The factory's per-request log scopes and start/end lines cost every sibling call; the resilience
            // pipeline and each client log the failures that matter.
            http.RemoveAllLoggers();
            // Outermost first: the caller token is decided on the logical address (http://chat-service), and the
            // pipeline's own failures are turned into the one exception type callers handle.
            http.AddCallerIdentityPropagation();
            http.AddSiblingFailureTranslation();
            http.AddStandardResilienceHandler().ConfigureFromResilienceOptions();
            http.AddServiceDiscovery();
        });
        // A health probe reports what it sees now: no retries, no breaker. (The library's own way to opt one client
        // out of the defaults; it is marked for evaluation.)
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(ServiceHealthCheck.ClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs through OpenTelemetry's hosting package, exported over OTLP. Unlike the template,
    /// nothing is registered when no OTLP endpoint is set: the providers would record a span and metrics on every
    /// request only to drop them, a measurable share of a proxy's cost.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        SkipHostingRequestLogs(builder);
        if (!IsOtlpConfigured(builder.Configuration))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(PlatformSourceName)
                // Measured on every request (the pool's connections change state twice per proxied call) while the
                // request-duration histograms already tell their story: about 2 µs of a proxied request's CPU.
                .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
                .AddView("http.client.active_requests", MetricStreamConfiguration.Drop)
                .AddView("http.client.open_connections", MetricStreamConfiguration.Drop)
                .AddView("http.client.request.time_in_queue", MetricStreamConfiguration.Drop))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, PlatformSourceName)
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Probes every few seconds would drown the traces that matter.
                    aspnet.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation())
            // Endpoint, protocol and headers come from OTEL_EXPORTER_OTLP_* as Aspire sets them.
            .UseOtlpExporter();
        // .NET 10's own propagator already reads and writes W3C traceparent, tracestate and baggage on every request and
        // sibling call; with the SDK's default (trace context + baggage) the instrumentation parses and writes them a
        // second time. Nothing here reads OpenTelemetry's separate Baggage API, which only that second pass fills.
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
        return builder;
    }

    /// <summary>True when an OTLP endpoint is configured and the SDK is not switched off.</summary>
    public static bool IsOtlpConfigured(Configuration.IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        && !string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// ASP.NET Core's hosting logger, when enabled at any level, opens a log scope for every request and, with no
    /// exporter, starts a server Activity only to correlate those scopes (HttpClient then adds trace headers to every
    /// sibling call). On the gateway that was about a fifth of a proxied request's CPU without telemetry, and about 15
    /// µs a request with it (bench/gateway.sh). Its own lines are request start/finish at Information, which the
    /// server span and the http.server metrics already carry; logs written inside a request keep their trace and span
    /// ids from the Activity. A level set in configuration for that category still wins.
    /// </summary>
    private static void SkipHostingRequestLogs(IHostApplicationBuilder builder)
    {
        const string category = "Microsoft.AspNetCore.Hosting.Diagnostics";
        if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
        {
            builder.Logging.AddFilter(category, LogLevel.None);
        }
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthExtensions.LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps /health (every check) and /alive (the process only) in every environment, since probes need both, and
    /// the service's OpenAPI document at /openapi/v1.json, which the gateway gathers into one UI.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints(HealthEndpointPath, AlivenessEndpointPath);
        app.MapOpenApi();
        return app;
    }
}
