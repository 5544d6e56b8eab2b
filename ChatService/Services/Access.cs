using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// Who may see what: an assistant belongs to the user who created it and is visible to that user's API keys scoped
/// to it; a thread belongs to its user. Anything else is answered exactly like an unknown id (404), so ids of other
/// users cannot be probed.
/// </summary>
public static class Access
{
    public static async Task<AssistantEntity> AssistantAsync(ChatDbContext db, CallerIdentity caller, string id, CancellationToken cancellationToken)
    {
        var assistant = await db.Assistants.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken).ConfigureAwait(false);
        if (assistant is null || assistant.OwnerId != caller.UserId || !caller.CanUseAssistant(id))
        {
            throw NotFound("assistant", id);
        }
        return assistant;
    }

    public static async Task<ThreadEntity> ThreadAsync(ChatDbContext db, CallerIdentity caller, string id, CancellationToken cancellationToken, bool track = false)
    {
        var query = track ? db.Threads : db.Threads.AsNoTracking();
        var thread = await query.FirstOrDefaultAsync(t => t.Id == id, cancellationToken).ConfigureAwait(false);
        if (thread is null || thread.OwnerId != caller.UserId)
        {
            throw NotFound("thread", id);
        }
        return thread;
    }

    public static ApiException NotFound(string what, string id) =>
        new(StatusCodes.Status404NotFound, $"No {what} found with id '{id}'.", "Not found", "not_found");

    public static ApiException BadRequest(string message, string code = "invalid_request") =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", code);
}
