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
    public async Task AMissingLocalEngineDegradesHealthButDoesNotHoldThePlatformBack()
    {
        await using var factory = new ServiceFactory<Program>().With("Voice:Local:PocketsphinxPath", "/nonexistent/pocketsphinx_continuous");
        using var client = factory.CreateClient();

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));

        // 200: the AppHost waits for every service's /health, and voice-service serves its other routes without it.
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        var check = report.RootElement.GetProperty("checks").GetProperty("voice-engines");
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Contains("/nonexistent/pocketsphinx_continuous", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
