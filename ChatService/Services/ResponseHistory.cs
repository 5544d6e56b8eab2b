using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// What a new response continues: the items of its previous_response_id chain (each response's input, then its
/// output, function calls and their outputs included), or its conversation's items. Instructions are never carried.
/// </summary>
public static class ResponseHistory
{
    /// <summary>How far back a previous_response_id chain is followed, and how many conversation items are read.</summary>
    public const int MaxChain = 500;
    public const int MaxConversationItems = 2000;

    /// <summary>
    /// A response deleted further back ends the chain there: what it held is gone, and what remains still continues
    /// (a function call's output whose call went with it is left out, as a model refuses an output without its call).
    /// </summary>
    public static async Task<List<JsonObject>> ChainAsync(ChatDbContext db, CallerIdentity caller, string previousId, CancellationToken cancellationToken)
    {
        var chain = new List<ResponseEntity>();
        string? next = previousId;
        var cut = false;
        while (next is not null && chain.Count < MaxChain)
        {
            var response = await Access.FindOwnedAsync(db.Responses.AsNoTracking(), caller, next, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                cut = chain.Count > 0 ? true : throw Access.NotFound("response", next, "previous_response_id");
                break;
            }
            if (chain.Count == 0 && response.Status is "queued" or "in_progress")
            {
                // Its output is not stored yet: continuing it now would silently leave its answer out.
                throw Access.BadRequest($"Previous response {next} is still {response.Status}; continue it once it has ended.",
                    "previous_response_in_progress", "previous_response_id");
            }
            chain.Add(response);
            next = response.PreviousResponseId;
        }
        var ids = chain.Select(r => r.Id).ToList();
        var rows = await db.ResponseItems.AsNoTracking().Where(i => ids.Contains(i.ResponseId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var byResponse = rows.ToLookup(i => i.ResponseId);
        var items = new List<JsonObject>();
        foreach (var response in Enumerable.Reverse(chain))
        {
            items.AddRange(byResponse[response.Id]
                .OrderBy(i => i.Output).ThenBy(i => i.Seq)
                .Select(i => ResponseJson.Parse(i.Json)));
        }
        if (cut)
        {
            var calls = items.Where(i => (string?)i["type"] == "function_call").Select(i => (string?)i["call_id"]).ToHashSet(StringComparer.Ordinal);
            items.RemoveAll(i => (string?)i["type"] == "function_call_output" && !calls.Contains((string?)i["call_id"]));
        }
        return items;
    }

    public static async Task<List<JsonObject>> ConversationAsync(ChatDbContext db, string conversationId, CancellationToken cancellationToken)
    {
        var rows = await db.ConversationItems.AsNoTracking().Where(i => i.ConversationId == conversationId)
            .OrderByDescending(i => i.Seq).Take(MaxConversationItems).ToListAsync(cancellationToken).ConfigureAwait(false);
        rows.Reverse();
        return [.. rows.Select(i => ResponseJson.Parse(i.Json))];
    }

    /// <summary>
    /// Every function call needs its output and every output its call, as OpenAI requires: a model given one without
    /// the other refuses the request, and the client should hear why from us.
    /// </summary>
    public static void EnsureCallsAnswered(IReadOnlyList<JsonObject> items)
    {
        var calls = items.Where(i => (string?)i["type"] == "function_call").Select(i => (string)i["call_id"]!).ToHashSet(StringComparer.Ordinal);
        var outputs = items.Where(i => (string?)i["type"] == "function_call_output").Select(i => (string)i["call_id"]!).ToHashSet(StringComparer.Ordinal);
        if (outputs.FirstOrDefault(o => !calls.Contains(o)) is { } orphan)
        {
            throw Access.BadRequest($"No tool call found for function call output with call_id {orphan}.", "invalid_function_call_output", "input");
        }
        if (calls.FirstOrDefault(c => !outputs.Contains(c)) is { } unanswered)
        {
            throw Access.BadRequest($"No tool output found for function call {unanswered}.", "missing_function_call_output", "input");
        }
    }
}
