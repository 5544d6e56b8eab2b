using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChatService.Services;

/// <summary>
/// Orders the requests that change which run holds a thread or what it reads (a new run, tool outputs continuing one,
/// a new message): each opens a transaction and writes the thread's row first, so PostgreSQL's row lock (SQLite's write
/// lock) lets one through at a time and the next one reads what the first committed. Without it, runs racing for a
/// thread all found it free, and a message could slip in as a run started.
/// </summary>
public static class ThreadLock
{
    public static async Task<IDbContextTransaction> TakeAsync(ChatDbContext db, string threadId, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A write that changes nothing: it is the lock, not the data, that is wanted.
            await db.Threads.Where(t => t.Id == threadId)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.CreatedAt, t => t.CreatedAt), cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The lock, and the thread the caller already holds read again under it: a request that held the lock before may
    /// have changed the thread (its vector store, its assistant).
    /// </summary>
    public static async Task<IDbContextTransaction> TakeAsync(ChatDbContext db, ThreadEntity thread, CancellationToken cancellationToken)
    {
        var transaction = await TakeAsync(db, thread.Id, cancellationToken).ConfigureAwait(false);
        try
        {
            await db.Entry(thread).ReloadAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
