using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task HealthTurnsUnhealthyWhenRedisStopsWhileAliveStaysUp()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string?> { ["ConnectionStrings:cache"] = redis.ConnectionString },
            b => b.AddPlatformCache("cache"));
        using var client = host.CreateClient();

        using var before = await client.GetAsync(new Uri("/health", UriKind.Relative));
        await redis.StopAsync();
        using var after = await client.GetAsync(new Uri("/health", UriKind.Relative));
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
        using var report = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", report.RootElement.GetProperty("checks").GetProperty("cache").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task EveryResponseCarriesTheMillisecondsItSpentInTheService()
    {
        await using var host = await TestHost.StartAsync(map: app => app.MapGet("/slow", async () =>
        {
            await Task.Delay(60);
            return "done";
        }));
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("/slow", UriKind.Relative));

        var header = Assert.Single(response.Headers.GetValues("X-Process-Time"));
        Assert.InRange(double.Parse(header, System.Globalization.CultureInfo.InvariantCulture), 50, 60_000);
    }
}
