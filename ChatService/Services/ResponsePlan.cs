using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// A POST /v1/responses request checked and resolved: its prompt (<see cref="ResponsePrompt"/>) with create's own
/// options (sampling, output cap, storage, include), and the response row to make.
/// </summary>
public sealed record ResponsePlan(
    ResponseEntity Response, AssistantEntity? Assistant, List<JsonObject> Input, ConversationEntity? Conversation, bool Store, TurnInput Turn,
    ResponseTools Tools, bool IncludeSearchResults, string SearchQuery)
{
    public static async Task<ResponsePlan> PrepareAsync(
        ResponseRequest request, CallerIdentity caller, ChatDbContext db, ResponseCompaction compaction, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Access.BadRequest("model is required.", "missing_model", "model");
        }
        if (request.Background == true && request.Store == false)
        {
            // A background response is polled from storage, as OpenAI's is.
            throw Access.BadRequest("background requires store: a background response is retrieved from storage.", "invalid_value", "store");
        }
        if (request.MaxOutputTokens is <= 0)
        {
            throw Access.BadRequest("max_output_tokens must be positive.", "invalid_max_output_tokens", "max_output_tokens");
        }
        Access.CheckSampling(request.Temperature, request.TopP);
        RefuseUnsupported(request);
        var include = Includes.FromBody(request.Include, Includes.ResponseValues);
        if (request.Input.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw Access.BadRequest("input is required.", "missing_input", "input");
        }
        var prompt = await ResponsePrompt.ResolveAsync(request, caller, db, compaction, cancellationToken).ConfigureAwait(false);
        var assistant = prompt.Assistant;
        var turn = prompt.Turn with
        {
            Temperature = request.Temperature ?? assistant?.Temperature,
            TopP = request.TopP ?? assistant?.TopP,
            MaxOutputTokens = request.MaxOutputTokens,
            Controls = ModelControls.WithDefaultEffort(prompt.Turn.Controls, assistant?.ReasoningEffort),
            EndUser = EndUser.Read(request.User, request.SafetyIdentifier),
        };

        var response = new ResponseEntity
        {
            Id = Ids.New("resp"),
            OwnerId = caller.UserId,
            AssistantId = assistant?.Id,
            CreatedByKeyId = caller.KeyId,
            CreatedAt = Ids.Now(),
            Status = request.Background == true ? "queued" : "in_progress",
            Background = request.Background == true,
            Model = request.Model,
            Instructions = request.Instructions,
            PreviousResponseId = prompt.Conversation is null ? NullIfEmpty(request.PreviousResponseId) : null,
            ConversationId = prompt.Conversation?.Id,
            MaxOutputTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            MetadataJson = Json.MetadataText(request.Metadata),
            ToolsJson = prompt.Tools.ToolsJson,
            ToolChoiceJson = prompt.Tools.ToolChoiceJson,
            TextFormatJson = turn.Shape is null ? null : request.Text!.Value.GetProperty("format").GetRawText(),
            Truncation = prompt.Truncation.Value,
            ReasoningEffort = turn.Controls?.ReasoningEffort,
            Verbosity = turn.Controls?.Verbosity,
            ParallelToolCalls = request.ParallelToolCalls,
        };
        return new ResponsePlan(response, assistant, prompt.Input, prompt.Conversation, request.Store != false, turn, prompt.Tools,
            include.Contains(Includes.FileSearchResults), prompt.SearchQuery);
    }

    /// <summary>Create's own fields the model is not asked for are refused by name rather than accepted and left out.</summary>
    private static void RefuseUnsupported(ResponseRequest request)
    {
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
