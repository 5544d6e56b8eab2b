using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests;

public sealed class HealthTests
{
    private static readonly string[] Services = ["chat-service", "document-service", "intent-cache-service", "voice-service"];

    [Fact]
    public async Task GatewayHealthAsksEveryServiceOnceInAWhileAndTurnsUnhealthyWithoutSayingWhereWhenOneIsDown()
    {
        await using var healthy = await ScriptedHttpServer.StartAsync(ctx =>
            ctx.Request.Path == "/health" ? ctx.Response.WriteAsync("{}") : Task.CompletedTask);
        var downPort = FreePort.Next();
        await using var factory = new ServiceFactory<Program>().WithSqlite("gatewaydb");
        foreach (var service in Services)
        {
            var address = service == "voice-service" ? $"http://127.0.0.1:{downPort}" : healthy.Url.ToString().TrimEnd('/');
            factory.With($"services:{service}:http:0", address);
        }
        // A clock of the test's own: the answers are reused for 2 s, however slowly this machine runs the requests.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var frozen = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var client = frozen.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        // A public /health that fans out must not multiply a client's requests: the answers are reused briefly.
        for (var i = 0; i < 3; i++)
        {
            using var again = await client.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain(downPort.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(text);
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("chat-service").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("document-service").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("intent-cache-service").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", checks.GetProperty("voice-service").GetProperty("status").GetString());
        Assert.Equal(3, healthy.Requests.Count(r => r.PathAndQuery == "/health"));
        clock.Advance(TimeSpan.FromSeconds(2));
        using var later = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(6, healthy.Requests.Count(r => r.PathAndQuery == "/health"));
    }
}
