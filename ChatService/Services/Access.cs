using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// Who may see what: an assistant belongs to the user who created it and is visible to that user's API keys scoped
/// to it. A thread belongs to its user and is bound to the assistant of its first run (or its channel chat): the
/// user's own session sees every thread, an API key only the threads bound to an assistant in its scope, and the
/// unbound threads it made itself. Messages and runs go with their thread. Anything else is answered exactly like an
/// unknown id (404), so ids of other users and of other assistants' conversations cannot be probed. Responses and
/// conversations follow the threads' rule (bound to the assistant they answered as, else to the key that made them).
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

    public static Task<ThreadEntity> ThreadAsync(ChatDbContext db, CallerIdentity caller, string id, CancellationToken cancellationToken, bool track = false) =>
        OwnedAsync(track ? db.Threads : db.Threads.AsNoTracking(), caller, "thread", id, cancellationToken);

    /// <summary>The caller's threads, as the rule above lets it see them; translates to SQL.</summary>
    public static IQueryable<ThreadEntity> VisibleThreads(ChatDbContext db, CallerIdentity caller) => Visible(db.Threads, caller);

    /// <summary>A thread, response or conversation the caller may see, or a 404 as for an unknown id.</summary>
    public static async Task<T> OwnedAsync<T>(IQueryable<T> set, CallerIdentity caller, string what, string id, CancellationToken cancellationToken,
        string? param = null)
        where T : class, IOwnedByCaller =>
        await FindOwnedAsync(set, caller, id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(what, id, param);

    /// <summary>A thread, response or conversation the caller may see, or null as for an unknown id.</summary>
    public static async Task<T?> FindOwnedAsync<T>(IQueryable<T> set, CallerIdentity caller, string id, CancellationToken cancellationToken)
        where T : class, IOwnedByCaller
    {
        var found = await set.FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
        return found is not null && found.OwnerId == caller.UserId && CanSee(caller, found) ? found : null;
    }

    /// <summary>The caller's threads, responses or conversations, as the rule above lets it see them; translates to SQL.</summary>
    public static IQueryable<T> Visible<T>(IQueryable<T> set, CallerIdentity caller) where T : class, IOwnedByCaller
    {
        var query = set.Where(e => e.OwnerId == caller.UserId);
        if (caller.Assistants is { } scope)
        {
            var ids = scope.ToList();
            var key = caller.KeyId;
            query = query.Where(e => e.AssistantId != null ? ids.Contains(e.AssistantId) : e.CreatedByKeyId == key);
        }
        return query;
    }

    private static bool CanSee(CallerIdentity caller, IOwnedByCaller row) => CanSee(caller, row.AssistantId, row.CreatedByKeyId);

    /// <summary>The rule above for something of the caller's own user bound to an assistant, else to the key that made it.</summary>
    public static bool CanSee(CallerIdentity caller, string? assistantId, string? createdByKeyId) =>
        caller.Assistants is null
        || (assistantId is not null ? caller.CanUseAssistant(assistantId) : createdByKeyId == caller.KeyId);

    public static ApiException NotFound(string what, string id, string? param = null) =>
        new(StatusCodes.Status404NotFound, $"No {what} found with id '{id}'.", "Not found", "not_found") { Param = param };

    /// <summary>
    /// OpenAI's sampling ranges, checked before anything is stored or sent: a model provider refuses values outside
    /// them with an error of its own, which would reach the client as a 502 instead of its own mistake.
    /// </summary>
    public static void CheckSampling(double? temperature, double? topP)
    {
        if (temperature is < 0 or > 2)
        {
            throw BadRequest("temperature must be between 0 and 2.", "invalid_temperature", "temperature");
        }
        if (topP is < 0 or > 1)
        {
            throw BadRequest("top_p must be between 0 and 1.", "invalid_top_p", "top_p");
        }
    }

    public static ApiException BadRequest(string message, string code = "invalid_request", string? param = null) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", code) { Param = param };
}
