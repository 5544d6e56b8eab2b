namespace Migrations.Tests;

/// <summary>
/// An empty database of one test: a database of its own in the shared PostgreSQL cluster (which goes with the
/// cluster), or a SQLite file in a temp dir of its own, deleted with this.
/// </summary>
internal sealed class EmptyDatabase(string connectionString, TestDirectory? directory) : IDisposable
{
    public string ConnectionString { get; } = connectionString;

    public static async Task<EmptyDatabase> CreateAsync(string provider)
    {
        if (provider == "Postgres")
        {
            return new EmptyDatabase(await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("mig"), null);
        }
        var directory = TestDirectory.Create("mig-");
        return new EmptyDatabase($"Data Source={Path.Combine(directory.Path, "db.sqlite")}", directory);
    }

    public void Dispose() => directory?.Dispose();
}
