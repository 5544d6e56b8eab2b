using System.Globalization;

namespace Gateway.Tests;

/// <summary>
/// A real service started from its build output as its own process (the test project builds it without referencing
/// it, so no two Program classes meet), listening on a free loopback port.
/// </summary>
internal sealed class RealServiceProcess : IAsyncDisposable
{
    private readonly GuardedProcess _process;
    private readonly string _dataDir;

    private RealServiceProcess(GuardedProcess process, string dataDir, Uri url)
    {
        _process = process;
        _dataDir = dataDir;
        Url = url;
    }

    public Uri Url { get; }

    /// <param name="settings">Environment settings (Section__Key) added to or replacing the defaults.</param>
    public static async Task<RealServiceProcess> StartAsync(string project, string database, IReadOnlyDictionary<string, string>? settings = null)
    {
        var output = OutputDirectory(project);
        var dll = Path.Combine(output, project + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is built with the tests");
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var dataDir = TestDirectory.Create("service-").Path;
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Identity__SigningKey"] = TestIdentity.SigningKey,
            [$"ConnectionStrings__{database}"] = $"Data Source={Path.Combine(dataDir, database + ".db")}",
            ["OTEL_SDK_DISABLED"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var command = string.Join(' ',
            ["env", .. environment.Select(e => $"{e.Key}='{e.Value}'"), $"dotnet '{dll}'"]);
        var process = GuardedProcess.Start(command, workingDirectory: output);
        var service = new RealServiceProcess(process, dataDir, new Uri($"http://127.0.0.1:{port}"));
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Wait.UntilAsync(async () => (await probe.GetAsync(new Uri(service.Url, "/alive"))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60), $"{project} on port {port}");
        }
        catch (TimeoutException ex)
        {
            await service.DisposeAsync();
            throw new InvalidOperationException(ex.Message + Environment.NewLine + process.Output, ex);
        }
        return service;
    }

    /// <summary>bin/{Configuration}/{tfm} of the project, matching the tests' own build.</summary>
    internal static string OutputDirectory(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Microservices.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        return Path.Combine(root.FullName, project, "bin", configuration, framework);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        TestDirectory.Delete(_dataDir);
    }
}
