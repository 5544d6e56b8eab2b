namespace ChatService.Services;

/// <summary>
/// Lets this replica's channel messages to one thread take turns across their model calls, so each question is followed
/// by its answer. It is an in-process lock on purpose: a database lock held across a model call would keep SQLite's one
/// writer (every chatdb write in the process waiting) or a pooled PostgreSQL connection for as long as the model talks.
/// Messages to one channel that reach different replicas at once may still interleave.
/// </summary>
public sealed class ThreadTurns
{
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);

    /// <summary>Waits for the thread's turn; dispose the answer to give it to the next message.</summary>
    public async Task<IDisposable> WaitAsync(string threadId, CancellationToken cancellationToken)
    {
        Turn turn;
        lock (_turns)
        {
            if (!_turns.TryGetValue(threadId, out turn!))
            {
                _turns[threadId] = turn = new Turn();
            }
            turn.Users++;
        }
        try
        {
            await turn.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(threadId, turn, held: false);
            throw;
        }
        return new Held(this, threadId, turn);
    }

    /// <summary>How many threads have a message answering or waiting now (the map forgets a thread no one waits for).</summary>
    public int Count
    {
        get
        {
            lock (_turns)
            {
                return _turns.Count;
            }
        }
    }

    /// <summary>How many messages to the thread hold or await its turn now.</summary>
    public int MessagesOn(string threadId)
    {
        lock (_turns)
        {
            return _turns.TryGetValue(threadId, out var turn) ? turn.Users : 0;
        }
    }

    private void Leave(string threadId, Turn turn, bool held)
    {
        lock (_turns)
        {
            if (held)
            {
                turn.Gate.Release();
            }
            if (--turn.Users == 0)
            {
                _turns.Remove(threadId);
                turn.Gate.Dispose();
            }
        }
    }

    private sealed class Turn
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Messages holding or awaiting the gate; guarded by the map's lock.</summary>
        public int Users { get; set; }
    }

    private sealed class Held(ThreadTurns owner, string threadId, Turn turn) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(threadId, turn, held: true);
            }
        }
    }
}
