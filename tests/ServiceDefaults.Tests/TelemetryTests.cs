using Microsoft.AspNetCore.Builder;

namespace ServiceDefaults.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public async Task TracesReachAnOtlpReceiverWithTheRouteAndServiceName()
    {
        await using var receiver = await ScriptedHttpServer.StartAsync(ctx => Task.CompletedTask);
        var host = await TestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url.ToString().TrimEnd('/'),
                ["OTEL_SERVICE_NAME"] = "telemetry-test-service",
            },
            map: app => app.MapGet("/items/{id}", (string id) => id));

        using (var client = host.CreateClient())
        {
            await client.GetStringAsync(new Uri("/items/42", UriKind.Relative));
        }
        // Stopping the host flushes the exporters.
        await host.DisposeAsync();

        var traces = receiver.Requests.Where(r => r.PathAndQuery == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.All(traces, t => Assert.Equal("application/x-protobuf", t.Headers["Content-Type"]));
        Assert.Contains(traces, t => t.Body.Contains("GET /items/{id}", StringComparison.Ordinal));
        Assert.Contains(traces, t => t.Body.Contains("telemetry-test-service", StringComparison.Ordinal));
        Assert.Contains(traces, t => t.Body.Contains("http.response.status_code", StringComparison.Ordinal));
    }
}
