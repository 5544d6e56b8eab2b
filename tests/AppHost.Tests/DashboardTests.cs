using System.Net.Http.Json;
using System.Text.Json;

namespace AppHost.Tests;

/// <summary>What a developer sees in the dashboard, read through its telemetry API.</summary>
[Collection("AppHost")]
public sealed class DashboardTests
{
    private static readonly string[] Platform = ["gateway", "chat-service", "document-service", "intent-cache-service", "voice-service"];

    [Fact]
    public async Task OneChatRequestIsOneTraceFromTheGatewayThroughChatToIntentsAndDocumentsAndEveryServiceReportsTelemetry()
    {
        await using var apphost = AppHostProcess.Start();
        await AppHostTests.WaitForHealthyGatewayAsync(apphost);
        using var traffic = new PlatformTraffic(apphost.GatewayPort);
        await traffic.SignUpWithAnAssistantAsync();
        using var dashboard = new HttpClient { BaseAddress = apphost.Dashboard, Timeout = TimeSpan.FromSeconds(10) };

        await traffic.AskAsync("How many vacation days do we get?");

        string? traceId = null;
        await Wait.UntilAsync(async () => (traceId = ChatRequestTrace(await GetAsync(dashboard, "/api/telemetry/traces?resource=gateway"))) is not null,
            TimeSpan.FromSeconds(30), "the gateway's span of the chat request in the dashboard");
        HashSet<string> services = [];
        await Wait.UntilAsync(async () =>
        {
            services = ServicesIn(await GetAsync(dashboard, $"/api/telemetry/traces/{traceId}"));
            return services.IsSupersetOf(["gateway", "chat-service", "intent-cache-service", "document-service"]);
        }, TimeSpan.FromSeconds(30), "the chat request's trace to reach every service it passed through");
        JsonElement resources = default;
        await Wait.UntilAsync(async () =>
        {
            resources = await GetAsync(dashboard, "/api/telemetry/resources");
            return Platform.All(name => resources.EnumerateArray().Any(r => r.GetProperty("name").GetString() == name
                && r.GetProperty("hasLogs").GetBoolean() && r.GetProperty("hasTraces").GetBoolean() && r.GetProperty("hasMetrics").GetBoolean()));
        }, TimeSpan.FromSeconds(30), "logs, traces and metrics from every service");

        Assert.Contains("chat-service", services);
    }

    private static async Task<JsonElement> GetAsync(HttpClient dashboard, string path) =>
        await dashboard.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));

    private static IEnumerable<JsonElement> Spans(JsonElement response) =>
        response.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(r => r.GetProperty("scopeSpans").EnumerateArray())
            .SelectMany(s => s.GetProperty("spans").EnumerateArray());

    /// <summary>The trace of the gateway's server span for POST /v1/chat/completions, if the dashboard has it yet.</summary>
    private static string? ChatRequestTrace(JsonElement response) =>
        Spans(response)
            .Where(s => s.GetProperty("kind").GetInt32() == 2 && s.GetProperty("name").GetString() == "POST /v1/chat/completions")
            .Select(s => s.GetProperty("traceId").GetString())
            .FirstOrDefault();

    private static HashSet<string> ServicesIn(JsonElement trace) =>
        [.. trace.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(r => r.GetProperty("resource").GetProperty("attributes").EnumerateArray())
            .Where(a => a.GetProperty("key").GetString() == "service.name")
            .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString()!)];
}
