using System.Net;
using System.Text.Json;

namespace IntentCacheService.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task IntentCacheServiceStartsAndReportsHealthyAndAlive()
    {
        await using var factory = new ServiceFactory<Program>().WithSqlite("intentdb");
        using var client = factory.CreateClient();

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
    }
}
