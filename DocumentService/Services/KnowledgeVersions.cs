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
    /// Makes sure the assistant has a row, so that two first uploads racing to create it both go on: ON CONFLICT DO
    /// NOTHING (the same on SQLite and PostgreSQL) lets the second one pass quietly, inside a transaction too (on
    /// PostgreSQL it waits for the first one's commit).
    /// </summary>
    public static async Task EnsureRowAsync(DocumentsDbContext db, string assistantId, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(KnowledgeState))!;
        var table = entity.GetTableName();
        var key = entity.FindProperty(nameof(KnowledgeState.AssistantId))!.GetColumnName();
        var version = entity.FindProperty(nameof(KnowledgeState.Version))!.GetColumnName();
#pragma warning disable EF1002 // Identifiers come from the EF model; the only value is a parameter.
        await db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO \"{table}\" (\"{key}\", \"{version}\") VALUES ({{0}}, 0) ON CONFLICT (\"{key}\") DO NOTHING",
            [assistantId], cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1002
    }

    /// <summary>
    /// An atomic increment inside the caller's transaction; returns the new version, or <see cref="Deleted"/> (left
    /// as it is) when the assistant was deleted.
    /// </summary>
    public static async Task<long> BumpAsync(DocumentsDbContext db, string assistantId, CancellationToken cancellationToken)
    {
        await db.KnowledgeStates.Where(k => k.AssistantId == assistantId && k.Version != Deleted)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.Version, k => k.Version + 1), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(db, assistantId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The version of a deleted assistant. Its row stays as a tombstone: an upload that was still embedding when the
    /// assistant went bumps this same row inside its transaction, so it either commits before the deletion takes the
    /// row (and the deletion then removes what it added) or finds the tombstone after it and is refused. The row lock
    /// makes the two exclusive on PostgreSQL; on SQLite every write transaction already runs alone. A check of some
    /// other table could pass while the deletion's transaction was still open; and a deleted row would just come back
    /// through <see cref="EnsureRowAsync"/>.
    /// </summary>
    public const long Deleted = -1;

    /// <summary>Marks the assistant deleted (see <see cref="Deleted"/>); the first statement of the deletion's transaction.</summary>
    public static async Task MarkDeletedAsync(DocumentsDbContext db, string assistantId, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(KnowledgeState))!;
        var table = entity.GetTableName();
        var key = entity.FindProperty(nameof(KnowledgeState.AssistantId))!.GetColumnName();
        var version = entity.FindProperty(nameof(KnowledgeState.Version))!.GetColumnName();
#pragma warning disable EF1002 // Identifiers come from the EF model; the values are parameters.
        await db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO \"{table}\" (\"{key}\", \"{version}\") VALUES ({{0}}, {{1}}) ON CONFLICT (\"{key}\") DO UPDATE SET \"{version}\" = {{1}}",
            [assistantId, Deleted], cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1002
    }
}
