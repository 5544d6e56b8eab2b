using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ServiceDefaults.Data;

/// <summary>
/// Lets this process's writers of one SQLite file take turns by awaiting, not by sleeping. SQLite has one writer at a
/// time, and Microsoft.Data.Sqlite waits for a busy database by putting the thread to sleep (150 ms a try, its "async"
/// methods included): ten PUTs at once held nine pool threads that way, and on two busy cores the starved pool read a
/// Redis reply after its 1 s timeout (a 503 for a write that had been made). Every context on the file shares the gate
/// (one per file in the process); <see cref="SqliteWriteTurns"/> takes and gives back turns around EF's writes.
/// PostgreSQL, whose row locks Npgsql awaits, has none.
/// </summary>
public sealed class DatabaseWriteGate
{
    private static readonly ConcurrentDictionary<string, DatabaseWriteGate> Gates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly TimeSpan _timeout;
    private int _waiting;

    private DatabaseWriteGate(TimeSpan timeout) => _timeout = timeout;

    /// <summary>The gate of the file a SQLite connection string names; it waits as long as SQLite would (Default Timeout).</summary>
    public static DatabaseWriteGate For(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        var key = inMemory ? builder.ToString() : Path.GetFullPath(builder.DataSource);
        var timeout = builder.DefaultTimeout > 0 ? TimeSpan.FromSeconds(builder.DefaultTimeout) : Timeout.InfiniteTimeSpan;
        return Gates.GetOrAdd(key, _ => new DatabaseWriteGate(timeout));
    }

    /// <summary>How many writers await their turn now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Whether a writer has the turn now.</summary>
    public bool IsTaken => _turn.CurrentCount == 0;

    /// <summary>Waits for a turn; dispose the answer once the write has ended.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_turn.Wait(0))
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                if (!await _turn.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
                {
                    throw Locked();
                }
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
        return new Turn(_turn);
    }

    /// <summary>The blocking form, for EF's synchronous methods (the services use the async ones).</summary>
    public IDisposable Enter()
    {
        if (!_turn.Wait(0))
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                if (!_turn.Wait(_timeout))
                {
                    throw Locked();
                }
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
        return new Turn(_turn);
    }

    // The error SQLite itself gives a writer that waited its whole timeout, so callers see one kind of "busy".
    private SqliteException Locked() =>
        new($"database is locked: another writer of this process kept it for {_timeout.TotalSeconds:0} s", 5);

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private SemaphoreSlim? _turn = turn;

        public void Dispose() => Interlocked.Exchange(ref _turn, null)?.Release();
    }
}
