using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry with the core SDK only: the hosting and instrumentation packages are not available here, so the
/// providers are built by hand over .NET's own activity sources and meters, and disposed with the container.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>Activity sources of the platform's own code; services start spans from these.</summary>
    public const string PlatformSourceName = "Chatbot.Platform";

    private static readonly string[] TraceSources = ["Microsoft.AspNetCore", "System.Net.Http", PlatformSourceName];

    private static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime",
        PlatformSourceName,
    ];

    public static IHostApplicationBuilder ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var serviceName = configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        // With nowhere to send them, spans and metrics would be recorded on every request only to be dropped:
        // a measurable share of a proxy's cost. So the providers exist only when something receives them.
        if (string.IsNullOrWhiteSpace(endpoint) || configuration.GetValue("OTEL_SDK_DISABLED", false))
        {
            SkipUnrecordedServerSpans(builder);
            return builder;
        }
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.AddOtlpExporter(o => ConfigureExporter(o, endpoint, "v1/logs"));
        });

        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(TraceSources)
            .AddOtlpExporter(o => ConfigureExporter(o, endpoint, "v1/traces"))
            .Build()!);

        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(Meters)
            .AddOtlpExporter((o, reader) =>
            {
                ConfigureExporter(o, endpoint, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds =
                    configuration.GetValue("OTEL_METRIC_EXPORT_INTERVAL", 10_000);
            })
            .Build()!);

        // Resolving the providers at start-up is what makes them listen; the container disposes (and flushes) them.
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }

    /// <summary>
    /// ASP.NET Core starts a server Activity for every request whenever its hosting logger is enabled at any level,
    /// only to correlate log scopes; HttpClient then adds a child span and trace headers to every sibling call. With
    /// no exporter nobody reads them, and on the gateway they cost about a fifth of a proxied request's CPU. A level
    /// set in configuration for that category still wins.
    /// </summary>
    private static void SkipUnrecordedServerSpans(IHostApplicationBuilder builder)
    {
        const string category = "Microsoft.AspNetCore.Hosting.Diagnostics";
        if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
        {
            builder.Logging.AddFilter(category, LogLevel.None);
        }
    }

    private static void ConfigureExporter(OtlpExporterOptions options, string endpoint, string signalPath)
    {
        var protocol = endpoint.Contains(":4317", StringComparison.Ordinal)
            ? OtlpExportProtocol.Grpc
            : OtlpExportProtocol.HttpProtobuf;
        options.Protocol = protocol;
        options.Endpoint = protocol == OtlpExportProtocol.Grpc
            ? new Uri(endpoint)
            : new Uri(new Uri(endpoint.TrimEnd('/') + "/"), signalPath);
    }

    private sealed class TelemetryStarter(TracerProvider tracer, MeterProvider meter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracer);
            GC.KeepAlive(meter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracer.ForceFlush(2000);
            meter.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}
