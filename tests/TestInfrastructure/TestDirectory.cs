using System.Globalization;

namespace TestInfrastructure;

/// <summary>
/// A temp dir of this test process, deleted when disposed. Every one lives under this process's run directory,
/// {tmp}/chatbot-tests/{pid}-{start time}: a test host can die before its clean-up runs (Ctrl+C, a CI timeout, and
/// vstest itself kills it 100 ms after the last test), so the first dir a test process asks for sweeps away the run
/// directories of test processes that are gone. Run directories of live processes (parallel test projects, other
/// checkouts' runs) are never touched; the start time tells a live process from a new one that reuses a dead pid.
/// </summary>
public sealed class TestDirectory : IDisposable
{
    private static readonly Lazy<string> Run = new(CreateRunDirectory);

    private TestDirectory(string path) => Path = path;

    /// <summary>Where every test process makes its run directory.</summary>
    public static string RunsRoot { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chatbot-tests");

    public string Path { get; }

    /// <summary>A new, empty dir only this process can enter (as Directory.CreateTempSubdirectory makes).</summary>
    public static TestDirectory Create(string prefix)
    {
        var path = System.IO.Path.Combine(Run.Value, prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        TrySetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new TestDirectory(path);
    }

    public void Dispose() => Delete(Path);

    public override string ToString() => Path;

    /// <summary>Deletes a dir and all inside it; one already gone, or one a server still writes into, is left alone.</summary>
    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Deletes the run directories under <paramref name="root"/> whose test process has ended. A name that is not
    /// {pid}-{start time} is not a run directory and stays.
    /// </summary>
    public static void SweepStale(string root)
    {
        foreach (var run in Directory.EnumerateDirectories(root))
        {
            if (OwnerOf(System.IO.Path.GetFileName(run)) is { } owner && ProcessTable.StartTimeOf(owner.Pid) != owner.StartTime)
            {
                Delete(run);
            }
        }
    }

    /// <summary>The name of the run directory of a process.</summary>
    public static string RunName(int pid) =>
        string.Create(CultureInfo.InvariantCulture, $"{pid}-{ProcessTable.StartTimeOf(pid)}");

    private static (int Pid, long StartTime)? OwnerOf(string name)
    {
        var parts = name.Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (pid, start)
            : null;
    }

    private static string CreateRunDirectory()
    {
        // Open to all (sticky, as /tmp is): test runs of any user share it. The run dir is readable by others because
        // the servers' own users (postgres) must reach their dirs inside it.
        if (!Directory.Exists(RunsRoot))
        {
            Directory.CreateDirectory(RunsRoot);
            TrySetMode(RunsRoot, (UnixFileMode)0b1_111_111_111);
        }
        SweepStale(RunsRoot);
        var run = System.IO.Path.Combine(RunsRoot, RunName(Environment.ProcessId));
        Directory.CreateDirectory(run);
        TrySetMode(run, (UnixFileMode)0b111_101_101);
        // Only when empty: a server's guard may still be stopping it and deleting its dir. What is left, the sweep takes.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteIfEmpty(run);
        return run;
    }

    private static void DeleteIfEmpty(string path)
    {
        try
        {
            Directory.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static void TrySetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        try
        {
            File.SetUnixFileMode(path, mode);
        }
        catch (UnauthorizedAccessException)
        {
            // Made by another user a moment earlier, with the same mode.
        }
    }
}
