using Npgsql;

namespace ServiceDefaults.Errors;

/// <summary>
/// PostgreSQL refusing a NUL character in text (22021) or in jsonb (22P05): text that reached the store past JSON
/// binding (a form field, say), which SQLite would have kept. The client's to fix, so a 400 rather than a 500.
/// </summary>
internal static class StoreRefusal
{
    public static bool IsNulInText(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: "22021" or "22P05" })
            {
                return true;
            }
        }
        return false;
    }
}
