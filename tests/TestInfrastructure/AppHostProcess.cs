using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace TestInfrastructure;

/// <summary>The AppHost run from its build output, with its own gateway port and data directory.</summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AppHostProcess(Process process, int gatewayPort, string dataDirectory)
    {
        _process = process;
        GatewayPort = gatewayPort;
        DataDirectory = dataDirectory;
    }

    public int GatewayPort { get; }

    public string DataDirectory { get; }

    public int Id => _process.Id;

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
        var configuration = typeof(AppHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var dll = Path.Combine(RepositoryRoot(), "AppHost", "bin", configuration, "net10.0", "AppHost.dll");
        var port = FreePort.Next();
        var data = Directory.CreateTempSubdirectory("apphost-test-").FullName;
        // The postgres user must be able to reach a local cluster under it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(data, (UnixFileMode)0b111_101_101);
        }
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["AppHost__GatewayPort"] = port.ToString(CultureInfo.InvariantCulture),
                ["AppHost__DataDirectory"] = data,
            },
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var host = new AppHostProcess(process, port, data);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Every process below the AppHost, found through /proc.</summary>
    public IReadOnlyList<int> Descendants()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryParentOf(pid, out var parent))
            {
                parents[pid] = parent;
            }
        }
        var found = new List<int>();
        var frontier = new Queue<int>([_process.Id]);
        while (frontier.TryDequeue(out var current))
        {
            foreach (var (pid, parent) in parents)
            {
                if (parent == current)
                {
                    found.Add(pid);
                    frontier.Enqueue(pid);
                }
            }
        }
        return found;
    }

    /// <summary>The environment of the child processes whose command line names any of <paramref name="dlls"/>, joined.</summary>
    public string EnvironmentOf(params string[] dlls)
    {
        var text = new StringBuilder();
        foreach (var pid in Descendants())
        {
            try
            {
                var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
                if (dlls.Any(d => commandLine.Contains(d, StringComparison.Ordinal)))
                {
                    text.AppendLine(File.ReadAllText($"/proc/{pid}/environ").Replace('\0', '\n'));
                }
            }
            catch (IOException)
            {
            }
        }
        return text.ToString();
    }

    public static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public Task<bool> ExitedWithinAsync(TimeSpan timeout) =>
        _process.WaitForExitAsync().WaitAsync(timeout).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

    private static bool TryParentOf(int pid, out int parent)
    {
        parent = 0;
        try
        {
            // The command name may hold spaces; the fields after its closing parenthesis do not.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.TryParse(fields[1], out parent);
        }
        catch (IOException)
        {
            return false;
        }
    }

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
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
