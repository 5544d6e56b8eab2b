using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;

namespace ServiceDefaults.Errors;

/// <summary>
/// Failures that mean a database or Redis is down, restarting or overloaded, not that the request or the code is
/// wrong: answered 503 with Retry-After, so a client retries a write that was not acknowledged instead of treating a
/// PostgreSQL restart as a bug (500) of ours.
/// </summary>
internal static class StoreOutage
{
    public static bool IsOutage(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // 57P01-57P03: the server is shutting down or starting up; 08xxx: the connection failed.
                case PostgresException postgres when postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                                     || postgres.SqlState.StartsWith("08", StringComparison.Ordinal):
                case DbException { IsTransient: true }:
                // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another writer kept the file past the busy timeout.
                // Microsoft.Data.Sqlite does not mark them transient.
                case SqliteException { SqliteErrorCode: 5 or 6 }:
                case NpgsqlException { InnerException: IOException or SocketException or TimeoutException }:
                case RedisConnectionException or RedisTimeoutException:
                case SocketException:
                    return true;
            }
        }
        return false;
    }
}
