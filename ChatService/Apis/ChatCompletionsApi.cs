using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using System.Globalization;
using ChatService.Model;
using ChatService.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Apis;

/// <summary>
/// /v1/chat/completions, streamed or not. `model` is an assistant id (its instructions and knowledge apply) or a
/// plain model name, passed through to the provider. /v1/models lists both.
/// </summary>
public static class ChatCompletionsApi
{
    public static IEndpointRouteBuilder MapChatCompletionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", CompleteAsync).WithTags("Chat");
        app.MapGet("/v1/models", ListModelsAsync).WithTags("Models");
        app.MapGet("/v1/models/{model_id}", GetModelAsync).WithTags("Models");
        return app;
    }

    public static async Task<IResult> CompleteAsync(
        ChatCompletionRequest request, CallerIdentity caller, CachedAnswers cachedAnswers, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Access.BadRequest("model is required.", "missing_model", "model");
        }
        var (system, turns) = CompletionInput.Messages(request.Messages);
        var maxTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        if (maxTokens is <= 0)
        {
            var param = request.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens";
            throw Access.BadRequest($"{param} must be positive.", "invalid_max_tokens", param);
        }
        Access.CheckSampling(request.Temperature, request.TopP);
        var shape = ReadShape(request);
        var controls = ModelControls.Read(request.ReasoningEffort, request.Verbosity);
        var tools = CompletionInput.Tools(request.Tools, request.ToolChoice);

        // An exact repeat the intent cache answered a moment ago needs neither the assistant's row nor a sibling, so
        // the database context and the engine (with its sibling clients) are only taken when it is not one. Instructions
        // of the request's own or a token cap make the engine decide (ChatEngine.StartAsync).
        var turn = request.Model.StartsWith("asst_", StringComparison.Ordinal) && shape.AllowsCachedAnswer && tools is null && controls is null
            && string.IsNullOrWhiteSpace(system) && maxTokens is null && turns.All(t => t.AuthorName is null)
            ? cachedAnswers.TryRepeat(caller, request.Model, turns) : null;
        turn ??= await StartAsync(request, shape, controls, tools, caller, system, turns, maxTokens,
            context.RequestServices.GetRequiredService<ChatDbContext>(), context.RequestServices.GetRequiredService<ChatEngine>(), cancellationToken);
        turn.ShowCacheIn(context.Response);
        var id = "chatcmpl-" + Ids.New("c")[2..];
        var created = Ids.Now();
        var shownModel = request.Model;

        if (request.Stream != true)
        {
            await turn.CompleteAsync(cancellationToken);
            context.Response.Headers["X-Usage-Tokens"] = string.Create(CultureInfo.InvariantCulture, $"{turn.PromptTokens},{turn.CompletionTokens}");
            var calls = CompletionInput.Show(turn.ToolCalls);
            return TypedResults.Ok(new ChatCompletionResponse(id, created, shownModel,
                [new ChatCompletionChoice(0, new ChatCompletionMessage("assistant", calls is not null && turn.Text.Length == 0 ? null : turn.Text, calls), Finish(turn))],
                new UsageObject(turn.PromptTokens, turn.CompletionTokens, turn.PromptTokens + turn.CompletionTokens)));
        }

        // The first token is awaited before the stream opens, so a provider that fails still gets an error body.
        await using var deltas = turn.StreamAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var more = await deltas.MoveNextAsync();
        var sse = new SseWriter(context);
        // An answer that is only calls has no content at all (null, as OpenAI streams it), not an empty one; when the
        // first await already ended the stream, that is known before the first chunk.
        var noText = !more && turn.ToolCalls.Count > 0;
        await sse.DataAsync(Chunk(id, created, shownModel, new ChunkDelta("assistant", noText ? null : ""), null), cancellationToken);
        try
        {
            for (; more; more = await deltas.MoveNextAsync())
            {
                await sse.DataAsync(Chunk(id, created, shownModel, new ChunkDelta(null, deltas.Current), null), cancellationToken);
            }
        }
        catch (ApiException failure)
        {
            // The stream is open, so the failure is its last event, in the shape OpenAI's SDKs raise as an APIError;
            // no finish chunk and no [DONE], so no client takes the partial answer for a whole one.
            await sse.DataAsync(OpenAIError.From(failure), CancellationToken.None);
            return TypedResults.Empty;
        }
        // The model's calls arrive whole (the chat client gathers a call's pieces); each goes out as OpenAI streams
        // one: its id, type and name first, then its arguments.
        for (var index = 0; index < turn.ToolCalls.Count; index++)
        {
            var call = turn.ToolCalls[index];
            await sse.DataAsync(Chunk(id, created, shownModel,
                new ChunkDelta(null, null, [new ToolCallChunk(index, call.CallId, "function", new FunctionCallChunk(call.Name, ""))]), null), cancellationToken);
            await sse.DataAsync(Chunk(id, created, shownModel,
                new ChunkDelta(null, null, [new ToolCallChunk(index, null, null, new FunctionCallChunk(null, FunctionArguments.Text(call)))]), null), cancellationToken);
        }
        await sse.DataAsync(Chunk(id, created, shownModel, new ChunkDelta(null, null), Finish(turn)), cancellationToken);
        if (request.StreamOptions?.IncludeUsage == true)
        {
            await sse.DataAsync(new ChatCompletionChunk(id, created, shownModel, [],
                new UsageObject(turn.PromptTokens, turn.CompletionTokens, turn.PromptTokens + turn.CompletionTokens)), cancellationToken);
        }
        await sse.UsageAsync(turn.PromptTokens, turn.CompletionTokens, cancellationToken);
        await sse.RawAsync("data: [DONE]\n\n", cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>
    /// What the model can be asked for is passed on (reasoning_effort and verbosity as <see cref="ModelControls"/>);
    /// what it cannot (more than one choice, the deprecated functions, log probabilities, audio, predicted outputs) is
    /// refused by name rather than quietly left out of the answer.
    /// </summary>
    private static OutputShape ReadShape(ChatCompletionRequest request)
    {
        if (request.N is { } n && n != 1)
        {
            throw n < 1
                ? Access.BadRequest("n must be at least 1.", "invalid_n", "n")
                : RequestErrors.Unsupported("n", "each request makes one choice; send the request again for another.");
        }
        Refuse(request.Functions, "functions", "the deprecated functions are not mapped; send the same functions as `tools`.");
        Refuse(request.FunctionCall, "function_call", "the deprecated function_call is not mapped; send `tool_choice` with `tools`.");
        Refuse(request.LogitBias, "logit_bias", "token biases are not passed to the model.");
        Refuse(request.Audio, "audio", "answers are text; use /v1/audio/speech for speech.");
        Refuse(request.Prediction, "prediction", "predicted outputs are not passed to the model.");
        Refuse(request.WebSearchOptions, "web_search_options", "there is no web search.");
        if (request.Store == true)
        {
            throw RequestErrors.Unsupported("store", "chat completions are not stored here; keep answers in threads or /v1/responses.");
        }
        if (request.Logprobs == true || request.TopLogprobs is not null)
        {
            throw RequestErrors.Unsupported(request.Logprobs == true ? "logprobs" : "top_logprobs", "answers carry no log probabilities.");
        }
        if (request.Modalities is { ValueKind: not (JsonValueKind.Array or JsonValueKind.Null) }
            || request.Modalities is { ValueKind: JsonValueKind.Array } modalities
            && modalities.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.String || m.GetString() != "text"))
        {
            throw RequestErrors.Unsupported("modalities", "answers are text only.");
        }
        var (format, strict) = OutputShape.ReadResponseFormat(request.ResponseFormat);
        return new OutputShape(format, strict, OutputShape.ReadStop(request.Stop), request.Seed,
            OutputShape.ReadPenalty(request.PresencePenalty, "presence_penalty"), OutputShape.ReadPenalty(request.FrequencyPenalty, "frequency_penalty"));
    }

    /// <summary>A parameter that is present (not absent, not null, not an empty object or array) is refused.</summary>
    private static void Refuse(JsonElement? value, string param, string why)
    {
        if (value is { } v && v.ValueKind != JsonValueKind.Null
            && !(v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0)
            && !(v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any())
            && !(v.ValueKind == JsonValueKind.String && v.GetString() == "none"))
        {
            throw RequestErrors.Unsupported(param, why);
        }
    }

    private static async Task<ChatTurn> StartAsync(
        ChatCompletionRequest request, OutputShape shape, ModelControls? controls, RunTools? tools, CallerIdentity caller, string? system, List<AIChatMessage> turns, int? maxTokens,
        ChatDbContext db, ChatEngine engine, CancellationToken cancellationToken)
    {
        AssistantEntity? assistant = null;
        string model;
        string? instructions;
        string? additional = null;
        if (request.Model!.StartsWith("asst_", StringComparison.Ordinal))
        {
            assistant = await Access.AssistantAsync(db, caller, request.Model, cancellationToken);
            model = assistant.Model;
            instructions = assistant.Instructions;
            additional = system;
        }
        else
        {
            if (caller.Assistants is not null)
            {
                throw new ApiException(StatusCodes.Status403Forbidden,
                    "This API key may only use its assistants: pass an assistant id as the model.", "Forbidden", "permission_denied");
            }
            model = request.Model;
            instructions = system;
        }

        var snapshot = await engine.GetKnowledgeAsync(assistant, caller, cancellationToken);
        return await engine.StartAsync(
            new TurnInput(caller, assistant, model, instructions, additional, turns,
                request.Temperature ?? assistant?.Temperature, request.TopP ?? assistant?.TopP, maxTokens, tools?.Functions, tools?.Mode,
                Shape: shape, AllowMultipleToolCalls: request.ParallelToolCalls, Controls: ModelControls.WithDefaultEffort(controls, assistant?.ReasoningEffort),
                EndUser: EndUser.Read(request.User, request.SafetyIdentifier)),
            snapshot, cancellationToken);
    }

    private static ChatCompletionChunk Chunk(string id, long created, string model, ChunkDelta delta, string? finish) =>
        new(id, created, model, [new ChunkChoice(0, delta, finish)], null);

    /// <summary>An answer that calls functions finishes with "tool_calls", as OpenAI's do, whatever the model said.</summary>
    private static string Finish(ChatTurn turn) =>
        turn.ToolCalls.Count > 0 && turn.FinishReason == "stop" ? "tool_calls" : turn.FinishReason;

    public static async Task<IResult> ListModelsAsync(
        CallerIdentity caller, ChatDbContext db, IChatClient provider, CancellationToken cancellationToken)
    {
        var models = new List<ModelObject>();
        if (caller.Assistants is null)
        {
            models.Add(new ModelObject(ProviderModel(provider), 0, "system"));
        }
        var query = db.Assistants.AsNoTracking().Where(a => a.OwnerId == caller.UserId);
        if (caller.Assistants is { } allowed)
        {
            var ids = allowed.ToList();
            query = query.Where(a => ids.Contains(a.Id));
        }
        var assistants = await query.OrderBy(a => a.Id).ToListAsync(cancellationToken);
        models.AddRange(assistants.Select(a => new ModelObject(a.Id, a.CreatedAt, caller.UserId)));
        return TypedResults.Ok(new ListResponse<ModelObject>(models, models.FirstOrDefault()?.Id, models.LastOrDefault()?.Id, false));
    }

    public static async Task<IResult> GetModelAsync(
        [FromRoute(Name = "model_id")] string modelId, CallerIdentity caller, ChatDbContext db, IChatClient provider, CancellationToken cancellationToken)
    {
        if (modelId.StartsWith("asst_", StringComparison.Ordinal))
        {
            var assistant = await Access.AssistantAsync(db, caller, modelId, cancellationToken);
            return TypedResults.Ok(new ModelObject(assistant.Id, assistant.CreatedAt, caller.UserId));
        }
        return modelId == ProviderModel(provider) && caller.Assistants is null
            ? TypedResults.Ok(new ModelObject(modelId, 0, "system"))
            : throw Access.NotFound("model", modelId);
    }

    private static string ProviderModel(IChatClient provider) =>
        provider.GetService<ChatClientMetadata>()?.DefaultModelId ?? Providers.OfflineResponder.ModelName;
}
