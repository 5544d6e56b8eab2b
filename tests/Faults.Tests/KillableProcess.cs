using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Faults.Tests;

/// <summary>
/// A server process that a test can SIGKILL by pid and start again with the same command (same port, same data).
/// A shell guard stops it when the test host disappears, as TestInfrastructure's GuardedProcess does, but this one
/// reports the server's pid so the test can kill the server itself.
/// </summary>
internal sealed class KillableProcess(string command, string? runAsUser = null, string stopSignal = "TERM") : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _guard;

    public int Pid { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task StartAsync()
    {
        var parent = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var asUser = runAsUser is null ? "" : $"setpriv --reuid={runAsUser} --regid={runAsUser} --init-groups ";
        var script = $$"""
            {{asUser}}{{command}} &
            child=$!
            echo "pid:$child"
            trap 'kill -{{stopSignal}} $child 2>/dev/null; wait $child; exit 0' TERM INT
            while [ -d /proc/{{parent}} ] && kill -0 $child 2>/dev/null; do sleep 0.2; done
            kill -{{stopSignal}} $child 2>/dev/null
            wait $child
            """;
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        var pid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var guard = new Process { StartInfo = start };
        guard.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("pid:", StringComparison.Ordinal))
            {
                pid.TrySetResult(int.Parse(line[4..], CultureInfo.InvariantCulture));
            }
            Append(e.Data);
        };
        guard.ErrorDataReceived += (_, e) => Append(e.Data);
        guard.Start();
        guard.BeginOutputReadLine();
        guard.BeginErrorReadLine();
        _guard = guard;
        Pid = await pid.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL to the server itself: no shutdown, no flushing, as a crash or the OOM killer would.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start("kill", ["-KILL", Pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await _guard!.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>An orderly stop with the server's own stop signal (PostgreSQL's fast shutdown is INT).</summary>
    public async Task StopAsync()
    {
        if (_guard is null || _guard.HasExited)
        {
            return;
        }
        using (var term = Process.Start("kill", ["-TERM", _guard.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        try
        {
            await _guard.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            _guard.Kill(entireProcessTree: true);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _guard?.Dispose();
    }
}
