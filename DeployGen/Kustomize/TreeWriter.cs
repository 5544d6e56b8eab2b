namespace DeployGen.Kustomize;

/// <summary>Brings a deploy/ folder in line with a generated tree, or tells how it differs.</summary>
public static class TreeWriter
{
    /// <summary>Paths (relative, '/'-separated) that are missing, different or no longer generated.</summary>
    public static IReadOnlyList<string> Differences(string root, IReadOnlyDictionary<string, string> files)
    {
        var differences = files
            .Where(f => !File.Exists(Full(root, f.Key)) || File.ReadAllText(Full(root, f.Key)) != f.Value)
            .Select(f => f.Key).ToList();
        differences.AddRange(Existing(root).Where(path => !files.ContainsKey(path)));
        return differences.Order(StringComparer.Ordinal).ToList();
    }

    public static void Write(string root, IReadOnlyDictionary<string, string> files)
    {
        foreach (var stale in Existing(root).Where(path => !files.ContainsKey(path)))
        {
            File.Delete(Full(root, stale));
        }
        foreach (var (path, content) in files)
        {
            var full = Full(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (!File.Exists(full) || File.ReadAllText(full) != content)
            {
                File.WriteAllText(full, content);
            }
        }
        foreach (var folder in DeployTree.OwnedFolders.Select(f => Full(root, f)).Where(Directory.Exists))
        {
            foreach (var empty in Directory.GetDirectories(folder, "*", SearchOption.AllDirectories)
                         .OrderByDescending(d => d.Length).Where(d => !Directory.EnumerateFileSystemEntries(d).Any()))
            {
                Directory.Delete(empty);
            }
        }
    }

    private static IEnumerable<string> Existing(string root) => DeployTree.OwnedFolders
        .Select(folder => Full(root, folder))
        .Where(Directory.Exists)
        .SelectMany(folder => Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        .Select(file => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'))
        .Where(path => path != DeployTree.UserSecrets);

    private static string Full(string root, string path) => Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar));
}
