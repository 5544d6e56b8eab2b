namespace Cli.Commands;

/// <summary>Files a command writes: an existing one is left alone unless --force, the same for every command.</summary>
public static class OutputFile
{
    public static System.CommandLine.Option<bool> Force() => new("--force") { Description = "Overwrite the output file if it exists" };

    /// <summary>Refuses before the work that makes the content is done; Create checks again when it writes.</summary>
    public static void RefuseExisting(string path, bool force)
    {
        if (!force && File.Exists(path))
        {
            throw Exists(path);
        }
    }

    /// <summary>A new file, or with <paramref name="force"/> one that replaces what is there (checked and made in one step).</summary>
    public static FileStream Create(string path, bool force)
    {
        try
        {
            return new FileStream(path, force ? FileMode.Create : FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException) when (!force && File.Exists(path))
        {
            throw Exists(path);
        }
    }

    private static CliException Exists(string path) => new($"{path} already exists; pass --force to overwrite it.", ExitCodes.Usage);
}
