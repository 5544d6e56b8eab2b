using System.Net;
using System.Text.Json;

namespace VoiceService.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task VoiceServiceStartsAndReportsHealthyAndAlive()
    {
        await using var factory = new ServiceFactory<Program>();
        using var client = factory.CreateClient();

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task HealthIsUnhealthyWhenALocalEngineIsMissing()
    {
        await using var factory = new ServiceFactory<Program>().With("Voice:Local:PocketsphinxPath", "/nonexistent/pocketsphinx_continuous");
        using var client = factory.CreateClient();

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        var check = report.RootElement.GetProperty("checks").GetProperty("voice-engines");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("/nonexistent/pocketsphinx_continuous", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
