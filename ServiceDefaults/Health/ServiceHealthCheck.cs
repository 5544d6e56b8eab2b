using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDefaults.Health;

internal sealed class ServiceHealthCheck(IHttpClientFactory clients, ServiceHealthResults results, string serviceName) : IHealthCheck
{
    /// <summary>Health probes skip retries: a probe must report what it sees now, fast.</summary>
    public const string ClientName = "health-probe";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    // The answer is shared by every probe for a while, so it runs on its own clock, not on the first asker's token.
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        results.GetOrAskAsync(serviceName, AskAsync).WaitAsync(cancellationToken);

    // The description goes out on a public /health: the service's name and status, never an address or an
    // exception's text (the health check service logs the failure itself).
    private async Task<HealthCheckResult> AskAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var cancellationToken = timeout.Token;
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
            return HealthCheckResult.Unhealthy($"{serviceName} is unreachable");
        }
    }
}

/// <summary>
/// Siblings' health, remembered for <see cref="Lifetime"/>: a public /health that fans out to every service must not
/// let a client multiply its requests by the number of services.
/// </summary>
internal sealed class ServiceHealthResults(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (Task<HealthCheckResult> Result, DateTimeOffset At)> _results = new(StringComparer.Ordinal);

    public Task<HealthCheckResult> GetOrAskAsync(string serviceName, Func<Task<HealthCheckResult>> ask)
    {
        var now = time.GetUtcNow();
        if (_results.TryGetValue(serviceName, out var known) && now - known.At < Lifetime)
        {
            return known.Result;
        }
        // Probes that miss at the same instant may each ask; from then on they share the answer.
        var asked = ask();
        _results[serviceName] = (asked, now);
        return asked;
    }
}
