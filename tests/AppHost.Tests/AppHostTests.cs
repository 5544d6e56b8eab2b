using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AppHost.Tests;

/// <summary>
/// `dotnet run --project AppHost` as a developer runs it, one platform at a time: these tests own the signals and
/// processes of a whole platform.
/// </summary>
[Collection("AppHost")]
public sealed class AppHostTests
{
    private static readonly string[] Services = ["chat-service", "document-service", "intent-cache-service", "voice-service"];

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task AStopSignalAfterTrafficWithAStreamOpenEndsEveryProcessRedisAndPostgresIncludedWithinTenSeconds(string signal)
    {
        await using var apphost = AppHostProcess.Start(("AppHost__Postgres", "on"));
        var report = await WaitForHealthyGatewayAsync(apphost);
        using var traffic = new PlatformTraffic(apphost.GatewayPort);
        await traffic.SignUpWithAnAssistantAsync();
        Assert.Contains("25 vacation days", await traffic.AskAsync("How many vacation days do we get?"), StringComparison.Ordinal);
        using var stream = await traffic.OpenStreamAsync("How many vacation days per year?");
        var processes = apphost.Processes();
        var commandLines = string.Join('\n', ProcessTable.Read().Where(p => processes.Contains(p.Pid)).Select(p => p.CommandLine));
        // The dashboard stops first; a service retrying its last telemetry export to it took 1.5-2.5 s more to stop.
        var environments = apphost.EnvironmentOf("ChatService/bin", "DocumentService/bin", "IntentCacheService/bin", "VoiceService/bin", "Gateway/bin");
        Assert.Equal(5, Regex.Count(environments, "^OTEL_EXPORTER_OTLP_TIMEOUT=1000$", RegexOptions.Multiline));
        Assert.DoesNotContain("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", environments, StringComparison.Ordinal);

        apphost.SignalGroup(signal);

        // The platform within 10 s; Aspire's orchestrator (DCP) tidies up after it and ends a few seconds later.
        var orchestrator = ProcessTable.Read().Where(p => processes.Contains(p.Pid) && p.CommandLine.Contains("/dcp ", StringComparison.Ordinal))
            .Select(p => p.Pid).ToHashSet();
        await WaitUntilGoneAsync(processes.Where(p => !orchestrator.Contains(p)).ToList(), TimeSpan.FromSeconds(10), apphost);
        await WaitUntilGoneAsync(processes, TimeSpan.FromSeconds(20), apphost);
        // Services the AppHost stops are no failures to report.
        Assert.DoesNotContain(" stopped (exit code", apphost.Log, StringComparison.Ordinal);
        foreach (var service in Services)
        {
            Assert.Equal("Healthy", report.GetProperty("checks").GetProperty(service).GetProperty("status").GetString());
        }
        Assert.Contains("redis-server", commandLines, StringComparison.Ordinal);
        Assert.Contains("postgres -D", commandLines, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppHostKilledOutrightTakesEveryServiceRedisAndPostgresWithIt()
    {
        await using var apphost = AppHostProcess.Start(("AppHost__Postgres", "on"));
        await WaitForHealthyGatewayAsync(apphost);
        using var traffic = new PlatformTraffic(apphost.GatewayPort);
        await traffic.SignUpWithAnAssistantAsync();
        using var stream = await traffic.OpenStreamAsync("How many vacation days per year?");
        var processes = apphost.Processes();

        apphost.SignalGroup("KILL");

        await WaitUntilGoneAsync(processes, TimeSpan.FromSeconds(20), apphost);
    }

    [Fact]
    public async Task WithRedisTurnedOffTheServicesRunInDevelopmentOnTheirEmbeddedDefaults()
    {
        await using var apphost = AppHostProcess.Start(("AppHost__Redis", "off"));

        await WaitForHealthyGatewayAsync(apphost);

        var gateway = apphost.EnvironmentOf("Gateway/bin");
        Assert.DoesNotContain("ConnectionStrings__cache", gateway, StringComparison.Ordinal);
        Assert.DoesNotContain(apphost.Processes(), pid => ProcessTable.Read().Any(p => p.Pid == pid && p.CommandLine.Contains("redis-server", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(apphost.DataDirectory, "chatdb.db")));
        // Exactly as under the launcher before Aspire: a leak of the developer exception page shows in this mode.
        Assert.Contains("ASPNETCORE_ENVIRONMENT=Development", gateway, StringComparison.Ordinal);
        // The identity secret is kept for the next run, readable by its owner only, and handed to every service.
        var secret = Path.Combine(apphost.DataDirectory, "identity.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        Assert.Contains($"Identity__SigningKey={File.ReadAllText(secret)}", gateway, StringComparison.Ordinal);
        Assert.Contains($"Documents__BlobDirectory={Path.Combine(apphost.DataDirectory, "blobs")}",
            apphost.EnvironmentOf("DocumentService/bin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithPostgresOnEveryServiceGetsItsOwnDatabaseOnALocalCluster()
    {
        await using var apphost = AppHostProcess.Start(("AppHost__Postgres", "on"));

        await WaitForHealthyGatewayAsync(apphost);

        Assert.True(File.Exists(Path.Combine(apphost.DataDirectory, "postgres", "PG_VERSION")));
        Assert.False(File.Exists(Path.Combine(apphost.DataDirectory, "chatdb.db")));
        (string Program, string Database)[] owners =
            [("ChatService/bin", "chatdb"), ("DocumentService/bin", "docsdb"), ("IntentCacheService/bin", "intentdb"), ("Gateway/bin", "gatewaydb")];
        foreach (var (program, database) in owners)
        {
            Assert.Matches($"ConnectionStrings__{database}=Host=127\\.0\\.0\\.1;Port=\\d+;Username=postgres;Database={database}",
                apphost.EnvironmentOf(program));
        }
    }

    internal static async Task<JsonElement> WaitForHealthyGatewayAsync(AppHostProcess apphost)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        JsonElement report = default;
        try
        {
            await Wait.UntilAsync(async () =>
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{apphost.GatewayPort}/health"));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
                report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                return true;
            }, TimeSpan.FromMinutes(3), "the gateway to report the platform healthy");
        }
        catch (Exception ex) when (ex is TimeoutException or TaskCanceledException or HttpRequestException)
        {
            throw new TimeoutException("The platform did not become healthy: " + ex.Message + Environment.NewLine + apphost.Log, ex);
        }
        return report;
    }

    /// <summary>Waits for every process to end; when some do not, says which ones, and what the AppHost logged.</summary>
    private static async Task WaitUntilGoneAsync(IReadOnlyCollection<int> processes, TimeSpan timeout, AppHostProcess apphost)
    {
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(!processes.Any(AppHostProcess.IsAlive)), timeout, "every process of the platform to end");
        }
        catch (TimeoutException ex)
        {
            var survivors = ProcessTable.Read().Where(p => processes.Contains(p.Pid)).Select(p => p.CommandLine);
            var log = apphost.Log;
            throw new TimeoutException($"{ex.Message}\nstill running:\n{string.Join('\n', survivors)}\nAppHost log (end):\n{log[Math.Max(0, log.Length - 4000)..]}", ex);
        }
    }
}
