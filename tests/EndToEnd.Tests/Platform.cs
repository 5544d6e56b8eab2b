using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// The whole platform, started once for these tests from the real AppHost through Aspire.Hosting.Testing: the same
/// model, environment (Development, from the AppHost's launch profile) and Redis as `dotnet run --project AppHost`,
/// with its own data directory and ports. Tests share the running platform, never data: each registers its own user.
/// </summary>
public class Platform : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly string _dataDirectory = TestDirectory.Create("platform-").Path;
    private DistributedApplication? _app;

    public Uri Gateway { get; private set; } = null!;

    /// <summary>More AppHost settings, for a platform on other real parts (PostgreSQL, say).</summary>
    protected virtual IEnumerable<string> AppHostArguments => [];

    public async Task InitializeAsync()
    {
        Binaries.Require("redis-server", "apt-get install -y redis-server");
        // PostgreSQL runs as its own user when the tests run as root: it must be able to reach its directory inside.
        File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            // The gateway listens on its port itself (not behind the orchestrator's proxy, whose ports the testing
            // builder would pick), so it gets a free one here.
            [$"--AppHost:DataDirectory={_dataDirectory}", $"--AppHost:GatewayPort={FreePort.Next()}", .. AppHostArguments]);
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            var resource = builder.CreateResourceBuilder(project);
            if (project.Name == "gateway")
            {
                // The hostile-input and authorization suites send far more than a person does; the limits have tests of their own.
                resource.WithEnvironment("Limits__UserRpm", "1000000").WithEnvironment("Limits__AnonymousPerIpPerMinute", "1000000");
            }
            foreach (var (key, value) in ForwardedSettings())
            {
                resource.WithEnvironment(key, value);
            }
        }
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Gateway = _app.GetEndpoint("gateway", "http");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        TestDirectory.Delete(_dataDirectory);
    }

    /// <summary>Service settings a test project sets in its own environment (Chat__OfflineWordDelay, say), passed on.</summary>
    private static IEnumerable<(string Key, string Value)> ForwardedSettings() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => (Key: (string)e.Key, Value: e.Value as string ?? ""))
            .Where(e => ForwardedSections.Any(section => e.Key.StartsWith(section + "__", StringComparison.Ordinal)));

    private static readonly string[] ForwardedSections = ["Chat", "Documents", "IntentCache", "Voice", "Limits"];

    /// <summary>The connection string the AppHost gives its services for a resource (chatdb, say).</summary>
    public ValueTask<string?> ConnectionStringAsync(string name) => _app!.GetConnectionStringAsync(name);

    public HttpClient Anonymous() => new() { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Registers a fresh user, logs in, and returns a client that sends the access token.</summary>
    public async Task<(HttpClient Client, string AccessToken)> NewUserAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        const string password = "correct horse battery staple 42";
        using var anonymous = Anonymous();
        using var registered = await anonymous.PostAsJsonAsync("/auth/register", new { name, email, password });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        using var login = await anonymous.PostAsJsonAsync("/auth/login", new { email, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (client, token);
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<Platform>
{
    public const string Name = "platform";
}

/// <summary>The same platform with every service on a local PostgreSQL cluster instead of SQLite files.</summary>
public sealed class PostgresPlatform : Platform
{
    protected override IEnumerable<string> AppHostArguments => ["--AppHost:Postgres=on"];
}

[CollectionDefinition(Name)]
public sealed class PostgresPlatformCollection : ICollectionFixture<PostgresPlatform>
{
    public const string Name = "platform-postgres";
}
