using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

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
                // As Aspire's AppHost sets it for its dashboard's HTTP receiver.
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
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

    [Fact]
    public async Task MetricsReachTheReceiverWithoutTheInstrumentsMeasuredOnEveryRequestForLittle()
    {
        await using var receiver = await ScriptedHttpServer.StartAsync(ctx => Task.CompletedTask);
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx => ctx.Response.WriteAsync("pong"));
        var host = await TestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url.ToString().TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["services:sibling:http:0"] = sibling.Url.ToString().TrimEnd('/'),
            },
            map: app => app.MapGet("/relay", async (IHttpClientFactory clients) =>
                await clients.CreateClient().GetStringAsync(new Uri("http://sibling/ping"))));

        using (var client = host.CreateClient())
        {
            Assert.Equal("pong", await client.GetStringAsync(new Uri("/relay", UriKind.Relative)));
        }
        await host.DisposeAsync();

        var metrics = string.Concat(receiver.Requests.Where(r => r.PathAndQuery == "/v1/metrics").Select(r => r.Body));
        Assert.Contains("http.server.request.duration", metrics, StringComparison.Ordinal);
        Assert.Contains("http.client.request.duration", metrics, StringComparison.Ordinal);
        Assert.Contains("http.server.active_requests", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("http.client.open_connections", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("http.client.active_requests", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("http.client.request.time_in_queue", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("aspnetcore.routing.match_attempts", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnExporterASiblingCallContinuesTheCallersTraceAndBaggage()
    {
        await using var receiver = await ScriptedHttpServer.StartAsync(ctx => Task.CompletedTask);
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx => Task.CompletedTask);
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url.ToString().TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            },
            map: app => app.MapGet("/relay", async (IHttpClientFactory clients) =>
                (await clients.CreateClient().GetAsync(sibling.Url)).StatusCode.ToString()));
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/relay");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        request.Headers.Add("baggage", "tenant=acme");

        using var client = host.CreateClient();
        using var response = await client.SendAsync(request);

        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
        var sent = sibling.Requests.Single().Headers;
        var traceparent = sent["traceparent"].Split('-');
        Assert.Equal(4, traceparent.Length);
        Assert.Equal(traceId, traceparent[1]);
        Assert.NotEqual("00f067aa0ba902b7", traceparent[2]);
        // W3C baggage allows spaces around '=' (.NET's propagator writes them).
        Assert.Equal("tenant=acme", sent["baggage"].Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAnExporterRequestsRunWithoutAServerSpanOrTraceHeadersToSiblings()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx => Task.CompletedTask);
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" },
            // A logger that is on, as in every service (the test hosts clear theirs).
            configure: builder => builder.Logging.AddConsole(),
            map: app => app.MapGet("/span", async (IHttpClientFactory clients) =>
            {
                var hadSpan = Activity.Current is not null;
                await clients.CreateClient().GetAsync(sibling.Url);
                return hadSpan ? "span" : "none";
            }));

        using var client = host.CreateClient();
        Assert.Equal("none", await client.GetStringAsync(new Uri("/span", UriKind.Relative)));
        Assert.DoesNotContain("traceparent", sibling.Requests.Single().Headers.Keys, StringComparer.OrdinalIgnoreCase);
    }
}
