using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Data;

namespace ServiceDefaults.Tests;

public sealed class DatabaseTests
{
    [Fact]
    public async Task PostgreSqlConnectionStringCreatesTheSchemaOnStartAndRoundTripsRows()
    {
        var postgres = await SharedServers.PostgresAsync();
        var connectionString = postgres.NewDatabaseConnectionString("sd");

        await using (var host = await StartWithDatabase(connectionString))
        {
            Assert.Equal(DatabaseProvider.PostgreSql, host.Services.GetRequiredKeyedService<DatabaseTarget>("notesdb").Provider);
            await AddNote(host, "in postgres");
        }
        // A second start finds the schema and the row already there.
        await using (var again = await StartWithDatabase(connectionString))
        {
            Assert.Equal(["in postgres"], await ReadNotes(again));
        }
    }

    [Fact]
    public async Task SqliteConnectionStringCreatesTheSchemaOnStartAndRoundTripsRows()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("sd-").FullName, "notes.db");

        await using (var host = await StartWithDatabase($"Data Source={file}"))
        {
            Assert.Equal(DatabaseProvider.Sqlite, host.Services.GetRequiredKeyedService<DatabaseTarget>("notesdb").Provider);
            await AddNote(host, "in sqlite");
        }
        await using (var again = await StartWithDatabase($"Data Source={file}"))
        {
            Assert.Equal(["in sqlite"], await ReadNotes(again));
        }
        Assert.True(File.Exists(file));
    }

    [Fact]
    public void NoConnectionStringMeansASqliteFileUnderDotData()
    {
        var root = Directory.CreateTempSubdirectory("root-").FullName;

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

    private static Task<TestHost> StartWithDatabase(string connectionString) =>
        TestHost.StartAsync(
            new Dictionary<string, string?> { ["ConnectionStrings:notesdb"] = connectionString },
            b => b.AddDatabase<NotesContext>("notesdb"));

    private static async Task AddNote(TestHost host, string text)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        db.Notes.Add(new Note { Text = text });
        await db.SaveChangesAsync();
    }

    private static async Task<List<string>> ReadNotes(TestHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        return await db.Notes.Select(n => n.Text).ToListAsync();
    }
}

public sealed class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}

public sealed class Note
{
    public int Id { get; set; }

    public required string Text { get; set; }
}
