using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// The prompt a Responses request describes, checked and resolved: who answers (an assistant or a model name), what
/// it continues (a previous response's chain or a conversation), its new input items and the turn to put to the
/// model. A create (<see cref="ResponsePlan"/>), a token count and a compaction read it the same way, access checks
/// included. <see cref="Window"/> is every item it continues and adds, as stored (compaction items still sealed).
/// </summary>
public sealed record ResponsePrompt(
    AssistantEntity? Assistant, List<JsonObject> Input, ConversationEntity? Conversation, TurnInput Turn, ResponseTools Tools,
    ResponseTruncation Truncation, IReadOnlyList<JsonObject> Window)
{
    public static async Task<ResponsePrompt> ResolveAsync(
        IResponsePrompt request, CallerIdentity caller, ChatDbContext db, ResponseCompaction compaction, CancellationToken cancellationToken)
    {
        var conversationId = ConversationId(request.Conversation);
        if (conversationId is not null && !string.IsNullOrEmpty(request.PreviousResponseId))
        {
            throw Access.BadRequest(
                "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.", "mutually_exclusive_parameters", "conversation");
        }
        var (format, strict) = OutputShape.ReadTextFormat(request.Text);
        var controls = ModelControls.FromResponses(request.Reasoning, request.Text);
        var truncation = ResponseTruncation.Read(request.Truncation);
        var input = request.Input.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? [] : ResponseItems.ReadInput(request.Input);
        var tools = ResponseTools.Read(request.Tools, request.ToolChoice);

        AssistantEntity? assistant = null;
        var model = request.Model ?? "";
        if (model.StartsWith("asst_", StringComparison.Ordinal))
        {
            assistant = await Access.AssistantAsync(db, caller, model, cancellationToken).ConfigureAwait(false);
            model = assistant.Model;
        }
        else if (caller.Assistants is not null)
        {
            throw new ApiException(StatusCodes.Status403Forbidden,
                "This API key may only use its assistants: pass an assistant id as the model.", "Forbidden", "permission_denied");
        }

        ConversationEntity? conversation = null;
        List<JsonObject> history = [];
        if (conversationId is not null)
        {
            conversation = await Access.OwnedAsync(db.Conversations, caller, "conversation", conversationId, cancellationToken, "conversation").ConfigureAwait(false);
            conversation.AssistantId ??= assistant?.Id;
            history = await ResponseHistory.ConversationAsync(db, conversationId, cancellationToken).ConfigureAwait(false);
        }
        else if (!string.IsNullOrEmpty(request.PreviousResponseId))
        {
            history = await ResponseHistory.ChainAsync(db, caller, request.PreviousResponseId, cancellationToken).ConfigureAwait(false);
        }
        var all = history.Concat(input).ToList();
        var read = compaction.ForModel(all, caller, "input");
        ResponseHistory.EnsureCallsAnswered(read);
        var (system, turns) = ResponseItems.ToChat(read);

        // An assistant's own instructions come first; the request's, and system messages, add to them.
        var requestInstructions = string.Join("\n\n", new[] { request.Instructions, system }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var turn = new TurnInput(caller, assistant, model,
            assistant is null ? NullIfEmpty(requestInstructions) : assistant.Instructions,
            assistant is null ? null : NullIfEmpty(requestInstructions),
            turns, Tools: tools.Functions, ToolMode: tools.Mode, Shape: format is null ? null : new OutputShape(format, strict),
            Truncate: truncation.Trims, AllowMultipleToolCalls: request.ParallelToolCalls, Controls: controls);
        return new ResponsePrompt(assistant, input, conversation, turn, tools, truncation, all);
    }

    /// <summary>The query a file_search tool searches with: the last user message.</summary>
    public string SearchQuery => Turn.Turns.LastOrDefault(t => t.Role == Microsoft.Extensions.AI.ChatRole.User)?.Text ?? "";

    /// <summary>`conversation` is a conversation id or an object with one.</summary>
    private static string? ConversationId(JsonElement conversation) => conversation.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        JsonValueKind.String when conversation.GetString() is { Length: > 0 } id => id,
        JsonValueKind.Object when conversation.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            && id.GetString() is { Length: > 0 } value => value,
        _ => throw Access.BadRequest("conversation must be a conversation id or an object with its id.", "invalid_conversation", "conversation"),
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}

/// <summary>
/// A response's `truncation`. "auto" drops the oldest items that do not fit the context (`Chat:ContextTokens`);
/// "disabled", OpenAI's default, answers a 400 `context_length_exceeded` instead of dropping anything.
/// </summary>
public sealed record ResponseTruncation(string Value)
{
    public const string Auto = "auto";
    public const string Disabled = "disabled";
    private static readonly string[] Values = [Auto, Disabled];

    public bool Trims => Value == Auto;

    public static ResponseTruncation Read(JsonElement? truncation) => truncation switch
    {
        null or { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => new(Disabled),
        { ValueKind: JsonValueKind.String } text when Values.Contains(text.GetString(), StringComparer.Ordinal) => new(text.GetString()!),
        { } other => throw RequestErrors.InvalidValue("truncation", other.ValueKind == JsonValueKind.String ? other.GetString()! : other.GetRawText(), Values),
    };
}
