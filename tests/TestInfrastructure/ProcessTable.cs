namespace TestInfrastructure;

/// <summary>The machine's processes from /proc, read once: pid, parent and command line.</summary>
public sealed class ProcessTable : List<ProcessTable.Entry>
{
    public sealed record Entry(int Pid, int Parent, string CommandLine);

    public static ProcessTable Read()
    {
        var table = new ProcessTable();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryRead(pid) is { } entry)
            {
                table.Add(entry);
            }
        }
        return table;
    }

    public List<int> DescendantsOf(int root)
    {
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var current))
        {
            foreach (var entry in this.Where(e => e.Parent == current))
            {
                found.Add(entry.Pid);
                frontier.Enqueue(entry.Pid);
            }
        }
        return found;
    }

    public static bool IsAlive(int pid) => StartTimeOf(pid) is not null;

    /// <summary>
    /// When a process started, in clock ticks after boot: with the pid, it names one process, as a pid alone does not
    /// once the pid is used again. Null when no such process runs (or it has ended and waits to be reaped).
    /// </summary>
    public static long? StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields from the state on: state is field 3 of proc(5), start time field 22.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] != "Z" && long.TryParse(fields[19], System.Globalization.CultureInfo.InvariantCulture, out var start) ? start : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static Entry? TryRead(int pid)
    {
        try
        {
            // The command name may hold spaces; the fields after its closing parenthesis do not.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return int.TryParse(fields[1], out var parent) ? new Entry(pid, parent, commandLine) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
