using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ServiceDefaults.Json;

namespace ServiceDefaults.Data;

/// <summary>
/// Refuses a save that would store the NUL character in a text column. PostgreSQL cannot hold one (a 500 there) and
/// SQLite can, so text that reached an entity past JSON binding (a message's content read from a JsonElement, a form
/// field) is refused the same way on both: a 400 from the error writer, and nothing of the save stored.
/// </summary>
internal sealed class NulTextGuard : SaveChangesInterceptor
{
    public static readonly NulTextGuard Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Check(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Check(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }
            foreach (var property in entry.Properties)
            {
                if ((entry.State == EntityState.Added || property.IsModified) && property.CurrentValue is string text && text.Contains('\0'))
                {
                    throw new NulInTextException();
                }
            }
        }
    }
}
