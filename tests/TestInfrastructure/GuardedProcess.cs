using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TestInfrastructure;

/// <summary>
/// Runs a server under a small shell guard that stops it when the test process disappears, even when the test
/// host is killed outright, so no server outlives its test run.
/// </summary>
public sealed class GuardedProcess : IAsyncDisposable
{
    private readonly Process _guard;
    private readonly StringBuilder _output = new();

    private GuardedProcess(Process guard) => _guard = guard;

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

    public bool HasExited => _guard.HasExited;

    /// <param name="command">The server command line, already shell-quoted.</param>
    /// <param name="stopSignal">The signal that makes the server stop quickly (PostgreSQL wants INT).</param>
    /// <param name="runAsUser">Run the server as this user (PostgreSQL refuses root); setpriv execs in place, so
    /// the guard's signals reach the server itself.</param>
    /// <param name="removeWhenStopped">The server's own dir, deleted by the guard once the server has stopped: the
    /// test host may be gone by then (vstest kills it soon after the last test), so it cannot do it itself.</param>
    public static GuardedProcess Start(string command, string stopSignal = "TERM", string? runAsUser = null,
        string? workingDirectory = null, string? removeWhenStopped = null)
    {
        var parent = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var asUser = runAsUser is null ? "" : $"setpriv --reuid={runAsUser} --regid={runAsUser} --init-groups ";
        var remove = removeWhenStopped is null ? "" : $"; rm -rf '{removeWhenStopped}'";
        // The trap comes first: a stop that arrives before it would end the guard at once and leave the server running
        // (holding the guard's output pipes) and its dir behind. $! is the server from the moment it starts.
        var script = $$"""
            trap 'kill -{{stopSignal}} $! 2>/dev/null; wait $!{{remove}}; exit 0' TERM INT
            {{asUser}}{{command}} &
            child=$!
            while [ -d /proc/{{parent}} ] && kill -0 $child 2>/dev/null; do sleep 0.2; done
            kill -{{stopSignal}} $child 2>/dev/null
            wait $child{{remove}}
            """;
        var start = new ProcessStartInfo("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = workingDirectory ?? Path.GetTempPath();

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var guarded = new GuardedProcess(process);
        process.OutputDataReceived += (_, e) => guarded.Append(e.Data);
        process.ErrorDataReceived += (_, e) => guarded.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return guarded;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async Task StopAsync()
    {
        if (_guard.HasExited)
        {
            return;
        }
        // The guard stops the server with the server's own stop signal and waits for it.
        using var term = Process.Start("kill", ["-TERM", _guard.Id.ToString(CultureInfo.InvariantCulture)]);
        await term.WaitForExitAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _guard.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _guard.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _guard.Dispose();
    }
}
