using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Health;

public static class HealthExtensions
{
    public const string LiveTag = "live";

    /// <summary>
    /// A check that asks a sibling service's /health through service discovery, so one /health can report the system.
    /// </summary>
    public static IHealthChecksBuilder AddServiceHealthCheck(this IHealthChecksBuilder checks, string serviceName)
    {
        checks.Services.TryAddSingleton(TimeProvider.System);
        checks.Services.TryAddSingleton<ServiceHealthResults>();
        return checks.Add(new HealthCheckRegistration(
            serviceName,
            sp => new ServiceHealthCheck(sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<ServiceHealthResults>(), serviceName),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["services"],
            timeout: ServiceHealthCheck.Timeout));
    }

    internal static WebApplication MapHealthEndpoints(this WebApplication app, string healthPath, string alivePath)
    {
        app.MapHealthChecks(healthPath, new HealthCheckOptions { ResponseWriter = WriteReport })
            .DisableHttpMetrics();
        app.MapHealthChecks(alivePath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = WriteReport,
        }).DisableHttpMetrics();
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            duration_ms = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    // Never an exception's text: connection strings, hosts and ports are not for the public.
                    // (A check that throws gets the exception's message as its description from the framework.)
                    description = e.Value.Exception is null ? e.Value.Description : "the check failed",
                    duration_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
