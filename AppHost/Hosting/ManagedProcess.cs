using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AppHost.Hosting;

/// <summary>A child process whose output is shown line by line behind its resource's name.</summary>
internal sealed partial class ManagedProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly Lock ConsoleLock = new();
    private static readonly ConsoleColor[] Colors =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Yellow, ConsoleColor.Magenta, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkYellow];
    private static int _nextColor;

    private readonly Process _process;
    private readonly string _name;
    private readonly ConsoleColor _color;

    public ManagedProcess(string name, string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string> environment)
    {
        _name = name;
        _color = Colors[Interlocked.Increment(ref _nextColor) % Colors.Length];
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Write(e.Data);
        _process.ErrorDataReceived += (_, e) => Write(e.Data);
    }

    /// <summary>
    /// A server that cannot watch its parent itself (redis-server): a small shell stays beside it and stops it when
    /// this AppHost is gone, even if the AppHost was killed without a chance to clean up.
    /// </summary>
    public static ManagedProcess TiedToThisProcess(string name, string commandLine, string workingDirectory, string stopSignal = "TERM")
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var script = $$"""
            {{commandLine}} &
            server=$!
            trap 'kill -{{stopSignal}} $server 2>/dev/null; wait $server; exit 0' TERM INT
            while [ -d /proc/{{self}} ] && kill -0 $server 2>/dev/null; do sleep 0.5; done
            kill -{{stopSignal}} $server 2>/dev/null
            wait $server
            """;
        return new ManagedProcess(name, "/bin/sh", ["-c", script], workingDirectory, new Dictionary<string, string>());
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public Task Exited => _process.WaitForExitAsync();

    public int ExitCode => _process.ExitCode;

    public void Start()
    {
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static void Log(string name, string line, ConsoleColor color = ConsoleColor.White)
    {
        lock (ConsoleLock)
        {
            var previous = Console.ForegroundColor;
            Console.ForegroundColor = color;
            Console.Write($"[{name}] ");
            Console.ForegroundColor = previous;
            Console.WriteLine(line);
        }
    }

    private void Write(string? line)
    {
        if (line is not null)
        {
            Log(_name, line, _color);
        }
    }

    /// <summary>Asks politely (SIGTERM), then kills the whole tree if the process has not ended in time.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        _ = Kill(_process.Id, SigTerm);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log(_name, $"did not stop within {grace.TotalSeconds:0}s; killing it", ConsoleColor.Red);
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
