using DocumentService.Model;
using Microsoft.EntityFrameworkCore;

namespace DocumentService.Services;

/// <summary>Reads and bumps an assistant's knowledge version (see <see cref="KnowledgeState"/>).</summary>
public static class KnowledgeVersions
{
    public static async Task<long> ReadAsync(DocumentsDbContext db, string assistantId, CancellationToken cancellationToken) =>
        await db.KnowledgeStates.AsNoTracking().Where(k => k.AssistantId == assistantId)
            .Select(k => (long?)k.Version).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;

    /// <summary>
    /// Makes sure the assistant has a row, outside any transaction: two first uploads racing to insert it must not
    /// fail one of them. The loser's duplicate insert is simply ignored.
    /// </summary>
    public static async Task EnsureRowAsync(DocumentsDbContext db, string assistantId, CancellationToken cancellationToken)
    {
        if (await db.KnowledgeStates.AnyAsync(k => k.AssistantId == assistantId, cancellationToken).ConfigureAwait(false))
        {
            return;
        }
        var state = new KnowledgeState { AssistantId = assistantId, Version = 0 };
        db.KnowledgeStates.Add(state);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Someone else inserted it first, which is all we wanted.
        }
        finally
        {
            db.Entry(state).State = EntityState.Detached;
        }
    }

    /// <summary>An atomic increment inside the caller's transaction; returns the new version.</summary>
    public static async Task<long> BumpAsync(DocumentsDbContext db, string assistantId, CancellationToken cancellationToken)
    {
        await db.KnowledgeStates.Where(k => k.AssistantId == assistantId)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.Version, k => k.Version + 1), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(db, assistantId, cancellationToken).ConfigureAwait(false);
    }
}
