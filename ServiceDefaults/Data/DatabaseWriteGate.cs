namespace ServiceDefaults.Data;

/// <summary>
/// Lets this process's writers of a SQLite database take turns by awaiting, not by sleeping. SQLite has one writer at a
/// time, and Microsoft.Data.Sqlite waits for a busy database by putting the thread to sleep (150 ms a try, its "async"
/// methods included): ten PUTs at once held nine pool threads that way, and on two busy cores the starved pool read a
/// Redis reply after its 1 s timeout (a 503 for a write that had been made). On PostgreSQL, whose row locks Npgsql
/// awaits, every writer passes at once.
/// </summary>
public sealed class DatabaseWriteGate<TContext>(DatabaseProvider provider)
{
    private readonly SemaphoreSlim? _turn = provider == DatabaseProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    /// <summary>Waits for this writer's turn; dispose the answer once the write transaction has ended.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (_turn is null)
        {
            return Turn.None;
        }
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(_turn);
    }

    private sealed class Turn(SemaphoreSlim? turn) : IDisposable
    {
        public static readonly Turn None = new(null);

        private SemaphoreSlim? _turn = turn;

        public void Dispose() => Interlocked.Exchange(ref _turn, null)?.Release();
    }
}
