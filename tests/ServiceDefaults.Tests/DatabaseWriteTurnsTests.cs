using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Data;

namespace ServiceDefaults.Tests;

/// <summary>
/// Writers of a SQLite database registered by AddDatabase take turns at its write gate by awaiting; inside SQLite they
/// would sleep on a pool thread (150 ms a try) until the file is free.
/// </summary>
public sealed class DatabaseWriteTurnsTests : IAsyncLifetime
{
    private readonly TestDirectory _directory = TestDirectory.Create("turns-");
    private readonly IHost _host;
    private readonly IServiceScopeFactory _scopes;
    private readonly DatabaseWriteGate _gate;

    public DatabaseWriteTurnsTests()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory.Path });
        builder.Configuration["ConnectionStrings:notesdb"] = $"Data Source={Path.Combine(_directory.Path, "notes.db")}";
        builder.AddDatabase<NotesContext>("notesdb");
        _host = builder.Build();
        _scopes = _host.Services.GetRequiredService<IServiceScopeFactory>();
        _gate = _host.Services.GetRequiredKeyedService<DatabaseWriteGate>("notesdb");
    }

    public Task InitializeAsync() => WriteAsync(async db =>
    {
        await db.Database.EnsureCreatedAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        db.Notes.Add(new Note { Text = "edited" });
        await db.SaveChangesAsync();
    });

    [Fact]
    public async Task TwentyWritersOfEveryKindAwaitAtTheGateWhileOneHoldsATransactionAndAllSucceedAfterIt()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = WriteAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Notes.Add(new Note { Text = "held" });
            await db.SaveChangesAsync();
            held.SetResult();
            await commit.Task;
            await transaction.CommitAsync();
        });
        await held.Task;

        var writers = Enumerable.Range(0, 20).Select(i => WriteAsync(db => (i % 5) switch
        {
            0 => AddAsync(db, $"one-{i}"),
            1 => AddAsync(db, $"first-{i}", $"second-{i}"),
            2 => InTransactionAsync(db, $"in-transaction-{i}"),
            3 => EditAsync(db),
            _ => db.Database.ExecuteSqlAsync($"INSERT INTO Notes (Text, Edits) VALUES ({"raw-" + i}, 0)"),
        })).ToList();
        // Each writer either awaits at the gate or sleeps inside SQLite; only the first kind counts as waiting.
        await WhenAsync(() => _gate.Waiting == 20);
        var readWhileHeld = await ReadAsync(db => db.Notes.CountAsync());
        var finishedWhileHeld = writers.Count(w => w.IsCompleted);
        commit.SetResult();
        await Task.WhenAll(writers.Append(holder)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, finishedWhileHeld);
        Assert.Equal(1, readWhileHeld);
        Assert.Equal(1 + 1 + 4 + 8 + 4 + 4, await ReadAsync(db => db.Notes.CountAsync()));
        Assert.Equal(8, await ReadAsync(db => db.Notes.Where(n => n.Text == "edited").Select(n => n.Edits).SingleAsync()));
        Assert.False(_gate.IsTaken);
    }

    [Fact]
    public async Task WritesInsideAConnectionsOwnTransactionPassWithoutWaitingForThemselves()
    {
        var passed = WriteAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await AddAsync(db, "a", "b");
            await EditAsync(db);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO Notes (Text, Edits) VALUES ('c', 0)");
            Assert.True(_gate.IsTaken);
            await transaction.CommitAsync();
        });
        await passed.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(_gate.IsTaken);
        Assert.Equal(4, await ReadAsync(db => db.Notes.CountAsync()));
    }

    [Fact]
    public async Task TheSynchronousSaveChangesTakesAndGivesBackItsTurnToo()
    {
        await WriteAsync(db =>
        {
            db.Notes.AddRange(new Note { Text = "sync-1" }, new Note { Text = "sync-2" });
            db.SaveChanges();
            return Task.CompletedTask;
        }).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(_gate.IsTaken);
        Assert.Equal(3, await ReadAsync(db => db.Notes.CountAsync()));
    }

    [Fact]
    public async Task AFailedOrAbandonedWriteGivesItsTurnBack()
    {
        await Assert.ThrowsAsync<DbUpdateException>(() => WriteAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await AddAsync(db, "edited");
        }));
        Assert.False(_gate.IsTaken);

        await Assert.ThrowsAsync<DbUpdateException>(() => WriteAsync(db => AddAsync(db, "new", "edited")));
        Assert.False(_gate.IsTaken);

        await Assert.ThrowsAsync<SqliteException>(() => WriteAsync(db => db.Database.ExecuteSqlRawAsync("INSERT INTO Missing VALUES (1)")));
        Assert.False(_gate.IsTaken);

        // A transaction never disposed: the context goes back to the pool and closes its connection.
        await WriteAsync(async db =>
        {
            await db.Database.BeginTransactionAsync();
            await AddAsync(db, "abandoned");
        });
        Assert.False(_gate.IsTaken);

        await WriteAsync(db => AddAsync(db, "after")).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(["after", "edited"], await ReadAsync(db => db.Notes.OrderBy(n => n.Text).Select(n => n.Text).ToListAsync()));
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private static async Task AddAsync(NotesContext db, params string[] texts)
    {
        db.Notes.AddRange(texts.Select(t => new Note { Text = t }));
        await db.SaveChangesAsync();
    }

    private static Task EditAsync(NotesContext db) =>
        db.Notes.Where(n => n.Text == "edited").ExecuteUpdateAsync(s => s.SetProperty(n => n.Edits, n => n.Edits + 1));

    private static async Task InTransactionAsync(NotesContext db, string text)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await AddAsync(db, text);
        await EditAsync(db);
        await transaction.CommitAsync();
    }

    private async Task WriteAsync(Func<NotesContext, Task> write)
    {
        await using var scope = _scopes.CreateAsyncScope();
        await write(scope.ServiceProvider.GetRequiredService<NotesContext>());
    }

    private async Task<T> ReadAsync<T>(Func<NotesContext, Task<T>> read)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<NotesContext>());
    }

    /// <summary>Waits for a condition that only ever becomes true (never a race), giving up after 30 s.</summary>
    private static async Task WhenAsync(Func<bool> condition)
    {
        for (var tries = 0; !condition() && tries < 3000; tries++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}

public sealed class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Note>().HasIndex(n => n.Text).IsUnique();
}

public sealed class Note
{
    public int Id { get; set; }

    public required string Text { get; set; }

    public int Edits { get; set; }
}
