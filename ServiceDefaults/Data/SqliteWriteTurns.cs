using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ServiceDefaults.Data;

/// <summary>
/// Makes every EF write to a SQLite file take its turn at the file's <see cref="DatabaseWriteGate"/>, so no call site
/// has to. A transaction (Microsoft.Data.Sqlite begins them IMMEDIATE: each is a write) holds the turn from its start to
/// its commit or rollback; a write statement outside one (a one-statement SaveChanges, ExecuteUpdate, ExecuteDelete,
/// ExecuteSql) holds it until the statement is done. Reads never wait: WAL lets them go on beside the writer.
/// The turn belongs to the connection, so writes inside a connection's own transaction pass (no waiting for itself),
/// and closing the connection gives back whatever it still holds: a transaction disposed without a commit, a failed
/// begin, a context returned to the pool mid-transaction.
/// </summary>
internal sealed class SqliteWriteTurns(DatabaseWriteGate gate)
{
    private readonly ConditionalWeakTable<DbConnection, Holder> _connections = new();
    private readonly ConditionalWeakTable<DbTransaction, Holder> _transactions = new();

    public DatabaseWriteGate Gate => gate;

    /// <summary>The interceptors to add to the context's options.</summary>
    public IInterceptor[] Interceptors => [new Transactions(this), new Commands(this)];

    private Holder Of(DbConnection connection) => _connections.GetValue(connection, c => new Holder(c));

    private static bool Writes(CommandEventData eventData) => eventData.CommandSource is
        CommandSource.SaveChanges or CommandSource.Migrations or CommandSource.ExecuteSqlRaw or
        CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete;

    /// <summary>What one connection holds: the turn, and which lone statement took it (null: a transaction did).</summary>
    private sealed class Holder
    {
        private readonly Lock _lock = new();
        private IDisposable? _turn;
        private DbCommand? _statement;

        public Holder(DbConnection connection) =>
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState != ConnectionState.Open)
                {
                    Release();
                }
            };

        public bool Holds
        {
            get
            {
                lock (_lock)
                {
                    return _turn is not null;
                }
            }
        }

        public void Take(IDisposable turn, DbCommand? statement)
        {
            lock (_lock)
            {
                _turn = turn;
                _statement = statement;
            }
        }

        /// <summary>A transaction starts on a connection that already holds the turn: the transaction keeps it.</summary>
        public void KeepForTransaction()
        {
            lock (_lock)
            {
                _statement = null;
            }
        }

        public void EndOf(DbCommand statement)
        {
            IDisposable? turn = null;
            lock (_lock)
            {
                if (_statement is not null && ReferenceEquals(_statement, statement))
                {
                    (turn, _turn, _statement) = (_turn, null, null);
                }
            }
            turn?.Dispose();
        }

        public void Release()
        {
            IDisposable? turn;
            lock (_lock)
            {
                (turn, _turn, _statement) = (_turn, null, null);
            }
            turn?.Dispose();
        }
    }

    private sealed class Transactions(SqliteWriteTurns turns) : DbTransactionInterceptor
    {
        public override InterceptionResult<DbTransaction> TransactionStarting(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
        {
            var holder = turns.Of(connection);
            if (holder.Holds)
            {
                holder.KeepForTransaction();
            }
            else
            {
                holder.Take(turns.Gate.Enter(), null);
            }
            return result;
        }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result,
            CancellationToken cancellationToken = default)
        {
            var holder = turns.Of(connection);
            if (holder.Holds)
            {
                holder.KeepForTransaction();
            }
            else
            {
                holder.Take(await turns.Gate.EnterAsync(cancellationToken).ConfigureAwait(false), null);
            }
            return result;
        }

        // Remembered by transaction: a completed SqliteTransaction no longer names its connection.
        public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        {
            turns._transactions.AddOrUpdate(result, turns.Of(connection));
            return result;
        }

        public override ValueTask<DbTransaction> TransactionStartedAsync(
            DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(TransactionStarted(connection, eventData, result));

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => End(transaction);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            End(transaction);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => End(transaction);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            End(transaction);
            return Task.CompletedTask;
        }

        // A failed commit or rollback leaves SQLite's transaction open until it is disposed, and disposing it closes
        // the connection EF opened for it: the turn goes back then, not before the lock does.
        private void End(DbTransaction transaction)
        {
            if (turns._transactions.TryGetValue(transaction, out var holder))
            {
                turns._transactions.Remove(transaction);
                holder.Release();
            }
        }
    }

    private sealed class Commands(SqliteWriteTurns turns) : DbCommandInterceptor
    {
        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Enter(command, eventData);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await EnterAsync(command, eventData, cancellationToken).ConfigureAwait(false);
            return result;
        }

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            End(command, eventData.Connection);
            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            End(command, eventData.Connection);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Enter(command, eventData);
            return result;
        }

        public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            await EnterAsync(command, eventData, cancellationToken).ConfigureAwait(false);
            return result;
        }

        public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
        {
            End(command, eventData.Connection);
            return result;
        }

        public override ValueTask<object?> ScalarExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
        {
            End(command, eventData.Connection);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Enter(command, eventData);
            return result;
        }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await EnterAsync(command, eventData, cancellationToken).ConfigureAwait(false);
            return result;
        }

        // A write that returns rows (INSERT ... RETURNING) holds SQLite's lock until its reader is closed, which EF
        // does just before this call.
        public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
        {
            if (command.Connection is { } connection)
            {
                End(command, connection);
            }
            return result;
        }

        public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => End(command, eventData.Connection);

        public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            End(command, eventData.Connection);
            return Task.CompletedTask;
        }

        public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => End(command, eventData.Connection);

        public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
        {
            End(command, eventData.Connection);
            return Task.CompletedTask;
        }

        private void Enter(DbCommand command, CommandEventData eventData)
        {
            if (Writes(eventData) && turns.Of(eventData.Connection) is { Holds: false } holder)
            {
                holder.Take(turns.Gate.Enter(), command);
            }
        }

        private async ValueTask EnterAsync(DbCommand command, CommandEventData eventData, CancellationToken cancellationToken)
        {
            if (Writes(eventData) && turns.Of(eventData.Connection) is { Holds: false } holder)
            {
                holder.Take(await turns.Gate.EnterAsync(cancellationToken).ConfigureAwait(false), command);
            }
        }

        private void End(DbCommand command, DbConnection connection)
        {
            if (turns._connections.TryGetValue(connection, out var holder))
            {
                holder.EndOf(command);
            }
        }
    }
}
