using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Faults.Tests;

/// <summary>
/// The gateway, chat-service, document-service and intent-cache-service as real processes on fixed loopback ports
/// (so one can be killed and started again where its siblings expect it), wired as the AppHost wires them.
/// </summary>
internal sealed class Platform : IAsyncDisposable
{
    private static readonly Dictionary<string, (string Project, string Database)> Services = new()
    {
        ["chat-service"] = ("ChatService", "chatdb"),
        ["document-service"] = ("DocumentService", "docsdb"),
        ["intent-cache-service"] = ("IntentCacheService", "intentdb"),
        ["gateway"] = ("Gateway", "gatewaydb"),
    };

    private readonly Dictionary<string, int> _ports;
    private readonly Dictionary<string, KillableProcess> _processes = [];
    private readonly string _dataDir;

    private Platform(Dictionary<string, int> ports, string dataDir)
    {
        _ports = ports;
        _dataDir = dataDir;
    }

    public Uri Gateway => Url("gateway");

    public KillableProcess this[string service] => _processes[service];

    public IEnumerable<string> ServiceNames => _processes.Keys;

    public Uri Url(string service) => new($"http://127.0.0.1:{_ports[service]}");

    /// <param name="redis">ConnectionStrings:cache for every service, or null for their in-memory defaults.</param>
    /// <param name="databases">A connection string per database name; SQLite files in a temp dir otherwise.</param>
    public static async Task<Platform> StartAsync(string? redis = null, IReadOnlyDictionary<string, string>? databases = null)
    {
        // voice-service is never started: its routes have an address and nobody behind it.
        var ports = Services.Keys.Append("voice-service").ToDictionary(s => s, _ => FreePort.Next());
        var platform = new Platform(ports, TestDirectory.Create("faults-").Path);
        foreach (var (service, (project, database)) in Services)
        {
            var connection = databases?.GetValueOrDefault(database)
                ?? $"Data Source={Path.Combine(platform._dataDir, database + ".db")}";
            platform._processes[service] = new KillableProcess(platform.Command(service, project, database, connection, redis));
        }
        try
        {
            await Task.WhenAll(platform._processes.Keys.Select(platform.StartServiceAsync));
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
        return platform;
    }

    /// <summary>Starts a service (again) on its port and waits until it answers /alive.</summary>
    public async Task StartServiceAsync(string service)
    {
        var process = _processes[service];
        await process.StartAsync();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Wait.UntilAsync(async () => (await probe.GetAsync(new Uri(Url(service), "/alive"))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(90), $"{service} on {Url(service)}");
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException(ex.Message + Environment.NewLine + process.Output, ex);
        }
    }

    public HttpClient Anonymous() => new() { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A fresh user, logged in through the gateway; the client sends its access token.</summary>
    public async Task<HttpClient> NewUserAsync(string name)
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
        return client;
    }

    private string Command(string service, string project, string database, string connection, string? redis)
    {
        var output = OutputDirectory(project);
        var env = new List<string>
        {
            $"ASPNETCORE_URLS={Url(service)}",
            "ASPNETCORE_ENVIRONMENT=Production",
            "OTEL_SDK_DISABLED=true",
            $"Identity__SigningKey={TestIdentity.SigningKey}",
            $"'ConnectionStrings__{database}={connection}'",
            // Fault tests send bursts from one user; the per-user limit is another test's subject.
            "Limits__UserRpm=1000000",
            $"Documents__BlobDirectory='{Path.Combine(_dataDir, "blobs")}'",
        };
        if (redis is not null)
        {
            env.Add($"ConnectionStrings__cache={redis}");
        }
        foreach (var (sibling, port) in _ports.Where(p => p.Key != service))
        {
            env.Add($"services__{sibling}__http__0=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        }
        return $"cd '{output}' && exec env {string.Join(' ', env)} dotnet '{Path.Combine(output, project + ".dll")}'";
    }

    /// <summary>bin/{Configuration}/{tfm} of a project, matching the tests' own build.</summary>
    private static string OutputDirectory(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Microservices.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        return Path.Combine(root.FullName, project, "bin", testOutput.Parent!.Name, testOutput.Name);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Values.Select(p => p.DisposeAsync().AsTask()));
        TestDirectory.Delete(_dataDir);
    }
}
