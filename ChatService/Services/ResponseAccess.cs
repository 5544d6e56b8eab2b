using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// Threads' rule (<see cref="Access"/>) for responses and conversations: the user's own session sees all of its own;
/// an API key sees those bound to an assistant in its scope, and the unbound ones it made itself. Anything else is
/// answered exactly like an unknown id (404).
/// </summary>
public static class ResponseAccess
{
    public static async Task<T> FindAsync<T>(IQueryable<T> set, CallerIdentity caller, string what, string id, CancellationToken cancellationToken)
        where T : class, IOwnedByCaller
    {
        var found = await set.FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
        return found is not null && found.OwnerId == caller.UserId && CanSee(caller, found)
            ? found
            : throw Access.NotFound(what, id);
    }

    /// <summary>The caller's rows, as the rule above lets it see them; translates to SQL.</summary>
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

    private static bool CanSee(CallerIdentity caller, IOwnedByCaller row) =>
        caller.Assistants is null
        || (row.AssistantId is { } assistantId ? caller.CanUseAssistant(assistantId) : row.CreatedByKeyId == caller.KeyId);
}
