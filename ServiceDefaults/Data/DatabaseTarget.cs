using Microsoft.Data.Sqlite;

namespace ServiceDefaults.Data;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Which database a connection string names, decided once at start-up.</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString)
{
    public static DatabaseTarget Resolve(string? connectionString, string name, string contentRoot)
    {
        var value = connectionString?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            var path = Path.Combine(contentRoot, ".data", name + ".db");
            return Sqlite(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        }
        if (value.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseTarget(DatabaseProvider.PostgreSql, value);
        }
        if (value.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
        {
            return Sqlite(value);
        }
        throw new InvalidOperationException(
            $"ConnectionStrings:{name} must start with 'Host=' (PostgreSQL) or 'Data Source=' (SQLite).");
    }

    private static DatabaseTarget Sqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 30 };
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }
        return new DatabaseTarget(DatabaseProvider.Sqlite, builder.ToString());
    }
}
