using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.AI;
using ServiceDefaults.Data;
using ServiceDefaults.Identity;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// OpenAI's `compaction` items (POST /v1/responses/compact): a summary of the turns a client compacted, sealed into
/// `encrypted_content`, and opened again wherever the item comes back (a create's input, a token count, a previous
/// response's chain, a conversation's items). The model then reads the summary in place of the turns it stands for.
/// </summary>
/// <remarks>
/// Sealed with ASP.NET Core Data Protection (authenticated encryption under a key ring kept in chatdb, so every replica
/// and every restart opens what any other sealed) rather than crypto of our own. The owning user's id is part of the
/// protector's purpose, so a client can neither read a summary, alter it, write one the model would trust, nor open
/// another user's: each of those fails to unprotect and is a 400. The assistant (or, unbound, the API key) it was made
/// for goes inside, so a key scoped to other assistants cannot open it either, the rule responses follow (<see cref="Access"/>).
/// </remarks>
public sealed class ResponseCompaction(IDataProtectionProvider protection)
{
    /// <summary>ChatOptions.AdditionalProperties key marking a compaction's model call (the offline responder condenses instead of answering).</summary>
    public const string PropertyKey = "chat_service.compaction";

    /// <summary>How the model is shown an opened summary, where the compaction item stood.</summary>
    public const string SummaryHeading = "Summary of the earlier conversation (it was compacted):";

    /// <summary>The summary's own cap: a compaction that needs more than this no longer saves much context.</summary>
    public const int MaxSummaryTokens = 2048;

    private const string Purpose = "ChatService.ResponseCompaction.v1";

    private const string Instructions =
        "You compact a conversation so that it can go on in less context. Write a summary of everything said before "
        + "the request to summarise: the facts, names, numbers and decisions, what each function call did and returned, "
        + "what is still open and anything the user asked to be remembered. The user's own messages are kept word for word "
        + "beside your summary, so say what the assistant and the functions contributed. Write only the summary.";

    private const string Request = "Summarise the conversation above for its continuation, as instructed.";

    public string Seal(string summary, CallerIdentity caller, string? assistantId) =>
        Protector(caller).Protect(JsonSerializer.Serialize(new Sealed(summary, assistantId, assistantId is null ? caller.KeyId : null)));

    /// <summary>The summary, or a 400 `invalid_value` naming <paramref name="field"/> for content this caller may not open.</summary>
    public string Open(JsonObject item, CallerIdentity caller, string field)
    {
        Sealed? content;
        try
        {
            content = JsonSerializer.Deserialize<Sealed>(Protector(caller).Unprotect((string?)item["encrypted_content"] ?? ""));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            content = null;
        }
        if (content?.Summary is not { } summary || !Access.CanSee(caller, content.AssistantId, content.KeyId))
        {
            throw Access.BadRequest(
                "Invalid value: the encrypted_content of a compaction item could not be opened. Send compaction items back as "
                + "POST /v1/responses/compact returned them, with the credentials that made them.", "invalid_value", field);
        }
        return summary;
    }

    /// <summary>Every compaction item among <paramref name="items"/> opens for this caller (before they are stored), else a 400.</summary>
    public void Check(IEnumerable<JsonObject> items, CallerIdentity caller, string field)
    {
        foreach (var item in items.Where(IsCompaction))
        {
            Open(item, caller, field);
        }
    }

    /// <summary>
    /// The items as the model reads them. The latest compaction item stands for everything before it but the messages
    /// of the user (and system or developer ones, which are instructions), as POST /v1/responses/compact keeps them:
    /// earlier answers, function calls and their outputs, and earlier compaction items go, and its summary takes its
    /// place. So a compacted window sent as input and a chain continued with its compaction item read the same.
    /// </summary>
    public List<JsonObject> ForModel(IReadOnlyList<JsonObject> items, CallerIdentity caller, string field)
    {
        var (latest, summary) = (-1, "");
        for (var i = 0; i < items.Count; i++)
        {
            if (IsCompaction(items[i]))
            {
                (latest, summary) = (i, Open(items[i], caller, field));
            }
        }
        if (latest < 0)
        {
            return [.. items];
        }
        var view = new List<JsonObject>();
        for (var i = 0; i < items.Count; i++)
        {
            if (i == latest)
            {
                view.Add(ResponseItems.Message("user", $"{SummaryHeading}\n{summary}", (string?)items[i]["id"]));
            }
            else if (i > latest || IsKeptMessage(items[i]))
            {
                view.Add(items[i]);
            }
        }
        return view;
    }

    /// <summary>The user's messages of a compacted window, kept as they were (OpenAI's compact output keeps exactly these).</summary>
    public static IEnumerable<JsonObject> KeptUserMessages(IEnumerable<JsonObject> window) =>
        window.Where(i => (string?)i["type"] == "message" && (string?)i["role"] == "user").Select(i => i.DeepClone().AsObject());

    /// <summary>
    /// The model call that writes the summary of <paramref name="prompt"/>'s turns: no assistant (so no intent cache
    /// and no retrieval: the summary is of the turns alone), no tools, its own instructions first and the
    /// conversation's after them, the oldest turns dropped if the window does not fit the context.
    /// </summary>
    public static TurnInput SummaryTurn(TurnInput prompt) => prompt with
    {
        Assistant = null,
        Instructions = Instructions,
        AdditionalInstructions = string.Join("\n\n", new[] { prompt.Instructions, prompt.AdditionalInstructions }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } given
            ? $"The conversation's own instructions, for context:\n{given}"
            : null,
        Turns = [.. prompt.Turns, new AIChatMessage(ChatRole.User, Request)],
        Tools = null,
        ToolMode = null,
        Shape = null,
        Controls = null,
        Passages = null,
        MaxOutputTokens = MaxSummaryTokens,
        Truncate = true,
        Compaction = true,
    };

    public static JsonObject Item(string encryptedContent) => new()
    {
        ["id"] = Ids.New("cmp"),
        ["type"] = "compaction",
        ["encrypted_content"] = encryptedContent,
    };

    private static bool IsCompaction(JsonObject item) => (string?)item["type"] == "compaction";

    private static bool IsKeptMessage(JsonObject item) =>
        (string?)item["type"] == "message" && (string?)item["role"] is "user" or "system" or "developer";

    private IDataProtector Protector(CallerIdentity caller) => protection.CreateProtector(Purpose, caller.UserId);

    private sealed record Sealed(string? Summary, string? AssistantId, string? KeyId);
}
