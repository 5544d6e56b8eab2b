using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TestInfrastructure;

/// <summary>
/// `dotnet run --project AppHost --no-build` in a process group of its own, as a developer starts it, with its own
/// gateway port, dashboard ports and data directory. The dashboard's telemetry API answers without a key.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AppHostProcess(Process process, int gatewayPort, int dashboardPort, string dataDirectory)
    {
        _process = process;
        GatewayPort = gatewayPort;
        Dashboard = new Uri($"http://127.0.0.1:{dashboardPort}");
        DataDirectory = dataDirectory;
    }

    public int GatewayPort { get; }

    public Uri Dashboard { get; }

    public string DataDirectory { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static AppHostProcess Start(params (string Key, string Value)[] settings)
    {
        var root = RepositoryRoot();
        var (gateway, dashboard, otlp, resources) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        var data = TestDirectory.Create("apphost-test-").Path;
        // The postgres user must be able to reach a local cluster under it.
        File.SetUnixFileMode(data, (UnixFileMode)0b111_101_101);
        // setsid: a process group of its own, as in a terminal, so that a signal can go to the whole group. env
        // --default-signal: a shell without job control starts its background commands with SIGINT ignored, and every
        // child inherits that; a terminal's Ctrl+C is never ignored, so the test must not depend on how it was launched.
        var start = new ProcessStartInfo("setsid")
        {
            ArgumentList =
            {
                "env", "--default-signal", "dotnet", "run", "--project", Path.Combine(root, "AppHost"), "--no-build", "--",
                // The launch profile's fixed dashboard ports would collide with another running AppHost.
                $"--ASPNETCORE_URLS=http://127.0.0.1:{dashboard}",
                $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:{otlp}",
                $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{resources}",
            },
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["AppHost__GatewayPort"] = gateway.ToString(CultureInfo.InvariantCulture),
                ["AppHost__DataDirectory"] = data,
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            },
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var host = new AppHostProcess(process, gateway, dashboard, data);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>
    /// Every process of this platform: below `dotnet run`, and below the orchestrator (DCP), which detaches from
    /// the AppHost and watches it by pid.
    /// </summary>
    public IReadOnlyList<int> Processes()
    {
        var table = ProcessTable.Read();
        var ours = table.DescendantsOf(_process.Id);
        var orchestrators = table.Where(p => ours.Any(a => p.CommandLine.Contains($"--monitor {a} ", StringComparison.Ordinal)))
            .Select(p => p.Pid).ToList();
        return [.. ours, .. orchestrators, .. orchestrators.SelectMany(table.DescendantsOf)];
    }

    /// <summary>The environment of the running processes whose command line names any of <paramref name="programs"/>.</summary>
    public string EnvironmentOf(params string[] programs)
    {
        var text = new StringBuilder();
        foreach (var process in ProcessTable.Read().Where(p => Processes().Contains(p.Pid)))
        {
            if (programs.Any(d => process.CommandLine.Contains(d, StringComparison.Ordinal)))
            {
                try
                {
                    text.AppendLine(File.ReadAllText($"/proc/{process.Pid}/environ").Replace('\0', '\n'));
                }
                catch (IOException)
                {
                }
            }
        }
        return text.ToString();
    }

    public static bool IsAlive(int pid) => ProcessTable.IsAlive(pid);

    /// <summary>Sends <paramref name="signal"/> to the whole process group, as Ctrl+C in a terminal does.</summary>
    public void SignalGroup(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", "--", $"-{_process.Id.ToString(CultureInfo.InvariantCulture)}"]);
        kill.WaitForExit();
    }

    /// <summary>`dotnet run`'s exit code, once it has exited.</summary>
    public int ExitCode => _process.ExitCode;

    public Task<bool> ExitedWithinAsync(TimeSpan timeout) =>
        _process.WaitForExitAsync().WaitAsync(timeout).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above the test output.");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var left = Processes();
        if (!_process.HasExited)
        {
            SignalGroup("TERM");
            if (!await ExitedWithinAsync(TimeSpan.FromSeconds(30)))
            {
                SignalGroup("KILL");
            }
        }
        // Whatever a failed test left behind must not outlive it.
        await Wait.UntilAsync(() => Task.FromResult(!left.Any(IsAlive)), TimeSpan.FromSeconds(20), "the platform to stop")
            .ContinueWith(_ => { }, TaskScheduler.Default);
        _process.Dispose();
        TestDirectory.Delete(DataDirectory);
    }
}
