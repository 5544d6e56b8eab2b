using Microsoft.Data.Sqlite;
using ServiceDefaults.Data;

namespace ServiceDefaults.Tests;

public sealed class DatabaseTests
{
    [Fact]
    public void NoConnectionStringMeansASqliteFileUnderDotData()
    {
        using var directory = TestDirectory.Create("root-");
        var root = directory.Path;

        var target = DatabaseTarget.Resolve(null, "chatdb", root);

        Assert.Equal(DatabaseProvider.Sqlite, target.Provider);
        Assert.Contains(Path.Combine(root, ".data", "chatdb.db"), target.ConnectionString, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(root, ".data")));
    }

    [Fact]
    public void AConnectionStringOfNeitherKindIsRefusedWithItsName()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DatabaseTarget.Resolve("Server=x", "docsdb", "/tmp"));

        Assert.Contains("ConnectionStrings:docsdb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWriterOfABusySqliteFileAwaitsItsTurnInsteadOfHoldingItsThread()
    {
        using var directory = TestDirectory.Create("db-");
        var target = DatabaseTarget.Resolve($"Data Source={Path.Combine(directory.Path, "gate.db")}", "gatedb", directory.Path);
        var gate = new DatabaseWriteGate<DatabaseTests>(target.Provider);
        await using var first = new SqliteConnection(target.ConnectionString);
        await first.OpenAsync();
        await ExecuteAsync(first, "PRAGMA journal_mode=WAL; CREATE TABLE notes (text TEXT NOT NULL);");

        var firstTurn = await gate.EnterAsync(CancellationToken.None);
        using var holding = first.BeginTransaction();
        await ExecuteAsync(first, "INSERT INTO notes VALUES ('first');");
        // Without the gate this call would not return: Microsoft.Data.Sqlite sleeps on this thread until the database
        // is free, and here it never is (its 30 s timeout ends in SQLITE_BUSY).
        var second = WriteAsync(gate, target.ConnectionString, "second");
        var secondWaited = !second.IsCompleted;
        holding.Commit();
        firstTurn.Dispose();
        await second;

        Assert.True(secondWaited);
        Assert.Equal(2L, await ScalarAsync(first, "SELECT count(*) FROM notes;"));
    }

    private static async Task WriteAsync(DatabaseWriteGate<DatabaseTests> gate, string connectionString, string text)
    {
        using var turn = await gate.EnterAsync(CancellationToken.None);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await ExecuteAsync(connection, $"INSERT INTO notes VALUES ('{text}');");
        await transaction.CommitAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
