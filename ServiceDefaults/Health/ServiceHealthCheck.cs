using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDefaults.Health;

internal sealed class ServiceHealthCheck(IHttpClientFactory clients, string serviceName) : IHealthCheck
{
    /// <summary>Health probes skip retries: a probe must report what it sees now, fast.</summary>
    public const string ClientName = "health-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var client = clients.CreateClient(ClientName);
            using var response = await client.GetAsync(new Uri($"http://{serviceName}/health"), cancellationToken)
                .ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{serviceName} is healthy")
                : HealthCheckResult.Unhealthy($"{serviceName} answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"{serviceName} is unreachable: {ex.Message}");
        }
    }
}
