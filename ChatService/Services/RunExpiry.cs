using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Data;

namespace ChatService.Services;

/// <summary>
/// A run that waited for tool outputs past its expires_at is expired, with its pending step. Nothing runs on a timer:
/// whoever reads or touches the thread's runs applies it first, so every replica answers the same.
/// </summary>
public static class RunExpiry
{
    public static async Task ExpireAsync(ChatDbContext db, string threadId, CancellationToken cancellationToken)
    {
        var now = Ids.Now();
        var expired = await db.Runs.Where(r => r.ThreadId == threadId && r.Status == "requires_action" && r.ExpiresAt < now)
            .Select(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (expired.Count == 0)
        {
            return;
        }
        await db.RunSteps.Where(s => expired.Contains(s.RunId) && s.Status == "in_progress")
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, "expired").SetProperty(s => s.ExpiredAt, now), cancellationToken).ConfigureAwait(false);
        await db.Runs.Where(r => expired.Contains(r.Id) && r.Status == "requires_action")
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, "expired").SetProperty(r => r.ExpiredAt, now), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The run that holds the thread (queued, in progress, waiting for tool outputs or being cancelled) once expired
    /// ones are let go, or null: while one does, OpenAI's API takes neither another run nor a new message.
    /// </summary>
    public static async Task<string?> ActiveRunAsync(ChatDbContext db, string threadId, CancellationToken cancellationToken)
    {
        await ExpireAsync(db, threadId, cancellationToken).ConfigureAwait(false);
        return await db.Runs.Where(r => r.ThreadId == threadId
                && (r.Status == "queued" || r.Status == "in_progress" || r.Status == "requires_action" || r.Status == "cancelling"))
            .Select(r => r.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}
