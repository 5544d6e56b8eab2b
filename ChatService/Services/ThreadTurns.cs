using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Data;

namespace ChatService.Services;

/// <summary>
/// Lets channel messages to one thread take turns across their model calls, so each question is followed by its answer.
/// Within a replica the turn is an in-process lock; across replicas it is a lease on the thread's row (a holder and an
/// expiry, renewed while held), which a message of another replica waits for, looking again every
/// <see cref="Poll"/>. Neither holds a transaction: a database lock held across a model call would keep SQLite's one
/// writer (every chatdb write in the process waiting) or a pooled PostgreSQL connection for as long as the model talks.
/// A replica that dies holding a turn frees it when its lease runs out (<see cref="Lease"/>).
/// </summary>
public sealed class ThreadTurns(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);
    private int _waitingElsewhere;

    /// <summary>Waits for the thread's turn; dispose the answer to give it to the next message.</summary>
    public async Task<IAsyncDisposable> WaitAsync(string threadId, CancellationToken cancellationToken)
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
        try
        {
            var holder = await TakeLeaseAsync(threadId, cancellationToken).ConfigureAwait(false);
            return new Held(this, threadId, turn, holder);
        }
        catch
        {
            Leave(threadId, turn, held: true);
            throw;
        }
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

    /// <summary>
    /// Whether a channel message on the thread, of any replica, is being answered now: /v1 messages and runs wait for it
    /// as they wait for a run, so nothing lands between its question and its answer. Read under the thread's lock.
    /// </summary>
    public Task<bool> AnsweringAsync(ChatDbContext db, string threadId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return db.Threads.AnyAsync(t => t.Id == threadId && t.TurnUntil >= now, cancellationToken);
    }

    /// <summary>How many messages to the thread hold or await its turn now.</summary>
    public int MessagesOn(string threadId)
    {
        lock (_turns)
        {
            return _turns.TryGetValue(threadId, out var turn) ? turn.Users : 0;
        }
    }

    /// <summary>How many of this replica's messages wait now for a turn another replica holds.</summary>
    public int WaitingElsewhere => Volatile.Read(ref _waitingElsewhere);

    /// <summary>
    /// The thread's lease, once no other replica holds it (or its holder's lease ran out). A thread gone meanwhile
    /// (a first message taken back) has nothing to order: the caller finds its chat gone and starts anew.
    /// </summary>
    private async Task<HeldLease?> TakeLeaseAsync(string threadId, CancellationToken cancellationToken)
    {
        var holder = Ids.New("turn");
        var waiting = false;
        try
        {
            while (true)
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
                    var now = time.GetUtcNow().ToUnixTimeSeconds();
                    var until = now + (long)Lease.TotalSeconds;
                    if (await db.Threads.Where(t => t.Id == threadId && (t.TurnUntil == null || t.TurnUntil < now))
                            .ExecuteUpdateAsync(u => u.SetProperty(t => t.TurnHolder, holder).SetProperty(t => t.TurnUntil, until), cancellationToken)
                            .ConfigureAwait(false) == 1)
                    {
                        return new HeldLease(holder, Renew(threadId, holder));
                    }
                    if (!await db.Threads.AnyAsync(t => t.Id == threadId, cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }
                }
                if (!waiting)
                {
                    waiting = true;
                    Interlocked.Increment(ref _waitingElsewhere);
                }
                await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (waiting)
            {
                Interlocked.Decrement(ref _waitingElsewhere);
            }
        }
    }

    /// <summary>Renews the lease every third of it until the turn is given back.</summary>
    private CancellationTokenSource Renew(string threadId, string holder)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Lease / 3, time);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    await SetLeaseAsync(threadId, holder, time.GetUtcNow().ToUnixTimeSeconds() + (long)Lease.TotalSeconds, stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // Stopped, or the database unreachable: the lease runs out as if this replica had died, which is safe.
            }
        }, CancellationToken.None);
        return stop;
    }

    private async Task SetLeaseAsync(string threadId, string holder, long? until, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        await db.Threads.Where(t => t.Id == threadId && t.TurnHolder == holder).ExecuteUpdateAsync(u => u
            .SetProperty(t => t.TurnUntil, until)
            .SetProperty(t => t.TurnHolder, until == null ? null : holder), cancellationToken).ConfigureAwait(false);
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

    private sealed record HeldLease(string Holder, CancellationTokenSource Renewal);

    private sealed class Held(ThreadTurns owner, string threadId, Turn turn, HeldLease? lease) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            try
            {
                if (lease is not null)
                {
                    // Not disposed: the renewal loop may still be reading its token.
                    await lease.Renewal.CancelAsync().ConfigureAwait(false);
                    // Given back at once; should this fail, the lease runs out on its own.
                    await owner.SetLeaseAsync(threadId, lease.Holder, null, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // The database unreachable: the lease runs out on its own; the in-process turn is given back below.
            }
            finally
            {
                owner.Leave(threadId, turn, held: true);
            }
        }
    }
}
