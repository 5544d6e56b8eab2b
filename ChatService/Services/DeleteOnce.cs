using ChatService.Model;

namespace ChatService.Services;

/// <summary>
/// Deletes an object and what hangs off it in one transaction, the object's row first: of requests racing to delete
/// it, the row's lock lets one through and the others find no row, so exactly one answers `deleted` and the others 404.
/// </summary>
public static class DeleteOnce
{
    public static async Task RunAsync(
        ChatDbContext db, string what, string id, Func<CancellationToken, Task<int>> deleteRow,
        IReadOnlyList<Func<CancellationToken, Task<int>>> deleteDependents, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await deleteRow(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw Access.NotFound(what, id);
        }
        foreach (var delete in deleteDependents)
        {
            await delete(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
