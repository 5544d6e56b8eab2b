using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// A POST /v1/responses request checked and resolved: who answers (an assistant or a model name), what it continues
/// (a previous response's chain or a conversation), its new input items, and the turn to put to the model.
/// </summary>
public sealed record ResponsePlan(
    ResponseEntity Response, AssistantEntity? Assistant, List<JsonObject> Input, ConversationEntity? Conversation, bool Store, TurnInput Turn,
    ResponseTools Tools, bool IncludeSearchResults)
{
    public static async Task<ResponsePlan> PrepareAsync(ResponseRequest request, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Access.BadRequest("model is required.", "missing_model", "model");
        }
        var conversationId = ConversationId(request.Conversation);
        if (conversationId is not null && !string.IsNullOrEmpty(request.PreviousResponseId))
        {
            throw Access.BadRequest(
                "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.", "mutually_exclusive_parameters", "conversation");
        }
        if (request.Background == true)
        {
            throw RequestErrors.Unsupported("background", "stream the response or wait for it.");
        }
        if (request.MaxOutputTokens is <= 0)
        {
            throw Access.BadRequest("max_output_tokens must be positive.", "invalid_max_output_tokens", "max_output_tokens");
        }
        Access.CheckSampling(request.Temperature, request.TopP);
        var (format, strict) = OutputShape.ReadTextFormat(request.Text);
        RefuseUnsupported(request);
        var include = Includes.FromBody(request.Include, Includes.ResponseValues);
        if (request.Input.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw Access.BadRequest("input is required.", "missing_input", "input");
        }
        var input = ResponseItems.ReadInput(request.Input);
        var tools = ResponseTools.Read(request.Tools, request.ToolChoice);

        AssistantEntity? assistant = null;
        string model;
        if (request.Model.StartsWith("asst_", StringComparison.Ordinal))
        {
            assistant = await Access.AssistantAsync(db, caller, request.Model, cancellationToken).ConfigureAwait(false);
            model = assistant.Model;
        }
        else if (caller.Assistants is not null)
        {
            throw new ApiException(StatusCodes.Status403Forbidden,
                "This API key may only use its assistants: pass an assistant id as the model.", "Forbidden", "permission_denied");
        }
        else
        {
            model = request.Model;
        }

        ConversationEntity? conversation = null;
        List<JsonObject> history = [];
        if (conversationId is not null)
        {
            conversation = await Access.OwnedAsync(db.Conversations, caller, "conversation", conversationId, cancellationToken).ConfigureAwait(false);
            conversation.AssistantId ??= assistant?.Id;
            history = await ResponseHistory.ConversationAsync(db, conversationId, cancellationToken).ConfigureAwait(false);
        }
        else if (!string.IsNullOrEmpty(request.PreviousResponseId))
        {
            history = await ResponseHistory.ChainAsync(db, caller, request.PreviousResponseId, cancellationToken).ConfigureAwait(false);
        }
        var all = history.Concat(input).ToList();
        ResponseHistory.EnsureCallsAnswered(all);
        var (system, turns) = ResponseItems.ToChat(all);

        // An assistant's own instructions come first; the request's, and system messages, add to them.
        var requestInstructions = string.Join("\n\n", new[] { request.Instructions, system }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var turn = new TurnInput(caller, assistant, model,
            assistant is null ? NullIfEmpty(requestInstructions) : assistant.Instructions,
            assistant is null ? null : NullIfEmpty(requestInstructions),
            turns, request.Temperature ?? assistant?.Temperature, request.TopP ?? assistant?.TopP, request.MaxOutputTokens,
            tools.Functions, tools.Mode, Shape: format is null ? null : new OutputShape(format, strict));

        var response = new ResponseEntity
        {
            Id = Ids.New("resp"),
            OwnerId = caller.UserId,
            AssistantId = assistant?.Id,
            CreatedByKeyId = caller.KeyId,
            CreatedAt = Ids.Now(),
            Status = "in_progress",
            Model = request.Model,
            Instructions = request.Instructions,
            PreviousResponseId = conversation is null ? NullIfEmpty(request.PreviousResponseId) : null,
            ConversationId = conversation?.Id,
            MaxOutputTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            MetadataJson = Json.MetadataText(request.Metadata),
            ToolsJson = tools.ToolsJson,
            ToolChoiceJson = tools.ToolChoiceJson,
            TextFormatJson = format is null ? null : request.Text!.Value.GetProperty("format").GetRawText(),
        };
        return new ResponsePlan(response, assistant, input, conversation, request.Store != false, turn, tools, include.Contains(Includes.FileSearchResults));
    }

    /// <summary>`conversation` is a conversation id or an object with one.</summary>
    private static string? ConversationId(JsonElement conversation) => conversation.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        JsonValueKind.String when conversation.GetString() is { Length: > 0 } id => id,
        JsonValueKind.Object when conversation.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            && id.GetString() is { Length: > 0 } value => value,
        _ => throw Access.BadRequest("conversation must be a conversation id or an object with its id.", "invalid_conversation", "conversation"),
    };

    /// <summary>What the model is not asked for is refused by name rather than accepted and left out.</summary>
    private static void RefuseUnsupported(ResponseRequest request)
    {
        if (request.Text is { ValueKind: JsonValueKind.Object } text && text.TryGetProperty("verbosity", out var verbosity)
            && verbosity.ValueKind != JsonValueKind.Null && verbosity.GetString() != "medium")
        {
            throw RequestErrors.Unsupported("text.verbosity", "answers are not asked for a verbosity.");
        }
        if (request.Reasoning is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }
            || request.Reasoning is { ValueKind: JsonValueKind.Object } reasoning && reasoning.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.Null))
        {
            throw RequestErrors.Unsupported("reasoning", "reasoning options are not passed to the model.");
        }
        if (request.ParallelToolCalls == false)
        {
            throw RequestErrors.Unsupported("parallel_tool_calls", "the model may call several functions at once.");
        }
        if (request.MaxToolCalls is not null)
        {
            throw RequestErrors.Unsupported("max_tool_calls", "built-in tool calls are not counted against a limit.");
        }
        if (request.TopLogprobs is > 0)
        {
            throw RequestErrors.Unsupported("top_logprobs", "answers carry no log probabilities.");
        }
        if (request.Prompt is { ValueKind: not JsonValueKind.Null })
        {
            throw RequestErrors.Unsupported("prompt", "there are no stored prompt templates; send instructions.");
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
