using System.Globalization;
using ChatService.Model;
using ChatService.Services;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Apis;

/// <summary>
/// POST /v1/responses/compact in OpenAI's shapes: the window a create would continue (its input, a previous
/// response's chain) compacted into its user messages and one `compaction` item, whose sealed summary the model reads
/// in place of the rest when the item comes back as input (<see cref="ResponseCompaction"/>). Nothing is stored.
/// </summary>
public static class ResponseCompactionApi
{
    public static IEndpointRouteBuilder MapResponseCompactionApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/responses").WithTags("Responses").MapPost("/compact", CompactAsync);
        return app;
    }

    /// <summary>
    /// The summary is the model's (through the same client, token budget and retries as every answer), or, with no model
    /// configured, the offline responder's condensation of the turns. Checked as a create is: a scoped key must name one
    /// of its assistants (403), another user's response is a 404, bad fields are 400s naming them.
    /// </summary>
    public static async Task<IResult> CompactAsync(
        CompactRequest request, CallerIdentity caller, ChatDbContext db, ChatEngine engine, ResponseCompaction compaction, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Access.BadRequest("model is required.", "missing_model", "model");
        }
        var prompt = await ResponsePrompt.ResolveAsync(request, caller, db, compaction, cancellationToken);
        if (prompt.Window.Count == 0)
        {
            throw Access.BadRequest("input or previous_response_id is required: there is nothing to compact.", "missing_input", "input");
        }
        var turn = await engine.StartAsync(ResponseCompaction.SummaryTurn(prompt.Turn), KnowledgeSnapshot.None, cancellationToken);
        await turn.CompleteAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(turn.Text))
        {
            throw new ApiException(StatusCodes.Status502BadGateway, "The model wrote no summary of the conversation.", "Bad gateway", "upstream_error");
        }
        var sealedSummary = compaction.Seal(turn.Text, caller, prompt.Assistant?.Id);
        var output = ResponseCompaction.KeptUserMessages(prompt.Window).Append(ResponseCompaction.Item(sealedSummary));
        context.Response.Headers["X-Usage-Tokens"] = string.Create(CultureInfo.InvariantCulture, $"{turn.PromptTokens},{turn.CompletionTokens}");
        return TypedResults.Json(CompactedResponseJson.Build(Ids.New("resp"), Ids.Now(), output, turn.PromptTokens, turn.CompletionTokens));
    }
}
