using System.Net;
using System.Text.Json;

namespace AppHost.Tests;

/// <summary>These run one after another: each starts the whole platform.</summary>
[Collection("AppHost")]
public sealed class AppHostTests
{
    private static readonly string[] Services = ["chat-service", "document-service", "intent-cache-service", "voice-service"];

    [Fact]
    public async Task TheWholePlatformComesUpHealthyAndSigtermLeavesNoProcessBehind()
    {
        await using var apphost = AppHostProcess.Start();

        var report = await WaitForHealthyGateway(apphost);
        foreach (var service in Services)
        {
            Assert.Equal("Healthy", report.GetProperty("checks").GetProperty(service).GetProperty("status").GetString());
        }
        var children = apphost.Descendants();
        Assert.True(children.Count >= 5, $"expected every service as its own process, saw {children.Count}");

        apphost.Signal("TERM");

        Assert.True(await apphost.ExitedWithinAsync(TimeSpan.FromSeconds(30)), apphost.Log);
        await Wait.UntilAsync(() => Task.FromResult(!children.Any(AppHostProcess.IsAlive)), TimeSpan.FromSeconds(10),
            "every child to be gone");
        Assert.Contains("every resource stopped", apphost.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppHostKilledOutrightTakesItsServicesAndRedisWithIt()
    {
        await using var apphost = AppHostProcess.Start();
        await WaitForHealthyGateway(apphost);
        var children = apphost.Descendants();

        apphost.Signal("KILL");

        await Wait.UntilAsync(() => Task.FromResult(!children.Any(AppHostProcess.IsAlive)), TimeSpan.FromSeconds(20),
            "every orphaned child to stop by itself");
    }

    [Fact]
    public async Task WithRedisTurnedOffTheServicesRunOnTheirEmbeddedDefaults()
    {
        await using var apphost = AppHostProcess.Start(("AppHost__Redis", "off"));

        await WaitForHealthyGateway(apphost);

        Assert.Contains("cache: not available here", apphost.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(apphost.DataDirectory, "redis", "appendonly.aof"))
            || Directory.Exists(Path.Combine(apphost.DataDirectory, "redis", "appendonlydir")));
        Assert.True(File.Exists(Path.Combine(apphost.DataDirectory, "chatdb.db")));
        // The identity secret is kept for the next run, readable by its owner only.
        var secret = Path.Combine(apphost.DataDirectory, "identity.key");
        Assert.True(File.Exists(secret));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        Assert.Contains($"Identity__SigningKey={File.ReadAllText(secret)}", apphost.EnvironmentOf("Gateway.dll"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithPostgresOnEveryServiceGetsItsOwnDatabaseOnALocalCluster()
    {
        await using var apphost = AppHostProcess.Start(("AppHost__Postgres", "on"));

        await WaitForHealthyGateway(apphost);

        Assert.True(File.Exists(Path.Combine(apphost.DataDirectory, "postgres", "PG_VERSION")));
        Assert.False(File.Exists(Path.Combine(apphost.DataDirectory, "chatdb.db")));
        foreach (var database in new[] { "chatdb", "docsdb", "intentdb", "gatewaydb" })
        {
            Assert.Contains($"ConnectionStrings__{database}=Host=127.0.0.1", apphost.EnvironmentOf("ChatService.dll", "DocumentService.dll",
                "IntentCacheService.dll", "Gateway.dll"), StringComparison.Ordinal);
        }
    }

    private static async Task<JsonElement> WaitForHealthyGateway(AppHostProcess apphost)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        JsonElement report = default;
        await Wait.UntilAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{apphost.GatewayPort}/health"));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return true;
        }, TimeSpan.FromSeconds(90), "the gateway to report the platform healthy");
        return report;
    }
}
