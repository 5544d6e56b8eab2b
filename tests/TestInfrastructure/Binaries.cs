namespace TestInfrastructure;

/// <summary>Finds the real servers the tests need; a missing one is a loud failure, never a silent skip.</summary>
public static class Binaries
{
    public static string Require(string name, string install, params string[] extraDirs)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(extraDirs);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            $"'{name}' is not installed, and these tests need the real thing. Run ./test.sh as root, or: {install}");
    }
}
