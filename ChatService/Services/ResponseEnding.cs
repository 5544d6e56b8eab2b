using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;

namespace ChatService.Services;

/// <summary>
/// Ends a response no <see cref="ResponseRunner"/> will finish (never taken from the queue, failed before the model
/// was asked, left by a process that stopped) the way a runner ends one: its status and its terminal event in one
/// transaction, so a client following its stream sees the end and the status never disagrees with the events.
/// </summary>
public static class ResponseEnding
{
    /// <summary>
    /// The terminal stream event of a final status. OpenAI's stream has none for `cancelled` (its union of stream
    /// events ends with completed, incomplete and failed): a cancelled response's stream simply ends.
    /// </summary>
    public static string? EventOf(string status) => status switch
    {
        "completed" => "response.completed",
        "incomplete" => "response.incomplete",
        "failed" => "response.failed",
        _ => null,
    };

    public static bool IsTerminal(string eventType) => eventType is "response.completed" or "response.incomplete" or "response.failed";

    /// <summary>
    /// Ends the response with <paramref name="status"/> unless it already ended; with <paramref name="leaseRanOutBefore"/>,
    /// only while its lease has run out by then (a replica's sweep: a holder that renewed in time keeps it).
    /// </summary>
    /// <returns>Whether this call ended it.</returns>
    public static async Task<bool> EndAsync(
        ChatDbContext db, string responseId, string status, string? code, string? message, long? leaseRanOutBefore, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The row first: its lock orders this against a runner's batch or final save (they take it first too).
        var open = db.Responses.Where(r => r.Id == responseId && (r.Status == "queued" || r.Status == "in_progress"));
        if (leaseRanOutBefore is { } now)
        {
            open = open.Where(r => r.LeaseExpiresAt == null || r.LeaseExpiresAt < now);
        }
        var ended = await open.ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.ErrorCode, code)
            .SetProperty(r => r.ErrorMessage, message)
            .SetProperty(r => r.LeaseExpiresAt, (long?)null), cancellationToken).ConfigureAwait(false);
        if (ended == 0)
        {
            return false;
        }
        if (EventOf(status) is { } type)
        {
            var response = await db.Responses.AsNoTracking().FirstAsync(r => r.Id == responseId, cancellationToken).ConfigureAwait(false);
            var last = await db.ResponseEvents.Where(e => e.ResponseId == responseId).MaxAsync(e => (int?)e.SequenceNumber, cancellationToken)
                .ConfigureAwait(false);
            // Output items are stored only with a runner's final status, so one ended here has none.
            db.ResponseEvents.Add(ResponseEventLog.Row(responseId, (last ?? -1) + 1, type,
                new JsonObject { ["response"] = ResponseJson.Build(response, []) }));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
