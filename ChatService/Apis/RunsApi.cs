using System.Text.Json;
using ChatService.Budgets;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Apis;

/// <summary>
/// /v1/threads/{id}/runs. Without `stream` a run is answered at once (queued) and advances in the background;
/// with `stream: true` the answer is OpenAI's Assistants event stream.
/// </summary>
public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/threads/runs", CreateThreadAndRunAsync).WithTags("Runs");
        var api = app.MapGroup("/v1/threads/{thread_id}/runs").WithTags("Runs");
        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{run_id}", GetAsync);
        api.MapPost("/{run_id}", ModifyAsync);
        api.MapPost("/{run_id}/cancel", CancelAsync);
        return app;
    }

    public static Task<IResult> CreateAsync(
        [FromRoute(Name = "thread_id")] string threadId, RunRequest request, CallerIdentity caller, ChatDbContext db, RunQueue queue, FileSearchClient files,
        RunExecutor executor, IChatClient model, Leases leases, IOptions<ChatServiceOptions> options, HttpContext context, ThreadTurns turns,
        CancellationToken cancellationToken) =>
        CreateRunAsync(threadId, request, caller, db, queue, files, executor, model, leases, options, context, null, cancellationToken,
            Includes.FromQuery(context, Includes.RunStepValues).Contains(Includes.StepSearchContent), turns: turns);

    /// <summary>
    /// A new run; a streamed one made with its thread announces that thread first (`thread.created`), as OpenAI does,
    /// and shows its file search results' content in its step events when include[] asked (<paramref name="stepContent"/>).
    /// </summary>
    private static async Task<IResult> CreateRunAsync(
        string threadId, RunRequest request, CallerIdentity caller, ChatDbContext db, RunQueue queue, FileSearchClient files,
        RunExecutor executor, IChatClient model, Leases leases, IOptions<ChatServiceOptions> options, HttpContext context, ThreadObject? newThread,
        CancellationToken cancellationToken,
        bool stepContent = false, CheckedRun? checkedRun = null, ThreadTurns? turns = null)
    {
        var thread = await Access.ThreadAsync(db, caller, threadId, cancellationToken, track: true);
        var (assistant, toolsJson, toolChoiceJson) = checkedRun ?? await CheckedAsync(request, caller, db, model, options.Value, cancellationToken);
        await using var threadLock = await ThreadLock.TakeAsync(db, thread, cancellationToken);
        // The first run binds the thread to its assistant (Access says what that means for API keys).
        thread.AssistantId ??= assistant.Id;
        if (await RunExpiry.ActiveRunAsync(db, threadId, cancellationToken) is { } active)
        {
            throw Access.BadRequest($"Thread {threadId} already has an active run {active}.", "thread_busy");
        }
        // A thread made with this run (no turns given) has no channel message on it.
        if (turns is not null && await turns.AnsweringAsync(db, threadId, cancellationToken))
        {
            throw Access.BadRequest($"Thread {threadId} has a channel message being answered.", "thread_busy");
        }

        var extras = (request.AdditionalMessages ?? []).Select(m => ThreadsApi.NewMessage(threadId, m)).ToList();
        db.Messages.AddRange(extras);
        await MessageAttachments.AddToThreadStoreAsync(thread, extras, files, caller, cancellationToken);
        var run = new RunEntity
        {
            Id = Ids.New("run"),
            ThreadId = threadId,
            AssistantId = assistant.Id,
            CreatedAt = Ids.Now(),
            Status = "queued",
            Model = string.IsNullOrWhiteSpace(request.Model) ? assistant.Model : request.Model,
            Instructions = request.Instructions ?? assistant.Instructions,
            AdditionalInstructions = request.AdditionalInstructions,
            Temperature = request.Temperature ?? assistant.Temperature,
            TopP = request.TopP ?? assistant.TopP,
            MaxCompletionTokens = request.MaxCompletionTokens,
            MetadataJson = Json.MetadataText(request.Metadata),
            ToolsJson = toolsJson,
            ToolChoiceJson = toolChoiceJson,
            MaxPromptTokens = request.MaxPromptTokens,
            ResponseFormatJson = OutputShape.Keep(request.ResponseFormat) ?? assistant.ResponseFormatJson,
            ReasoningEffort = request.ReasoningEffort ?? assistant.ReasoningEffort,
            ParallelToolCalls = request.ParallelToolCalls,
            TruncationLastMessages = LastMessages(request.TruncationStrategy),
            // Held by this process until it executes the run (in this request, or its RunWorker).
            LeaseExpiresAt = leases.FromNow(),
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await threadLock.CommitAsync(cancellationToken);

        if (request.Stream != true)
        {
            queue.Enqueue(run.Id, TokenBudget.Of(caller));
            return TypedResults.Ok(RunObject.From(run));
        }

        var lead = new List<(string, object)>();
        if (newThread is not null)
        {
            lead.Add(("thread.created", newThread));
        }
        lead.Add(("thread.run.created", RunObject.From(run)));
        return await StreamAsync(run, new SseWriter(context), executor, context, TokenBudget.Of(caller), cancellationToken, stepContent, lead);
    }

    /// <summary>
    /// Executes a queued run in the request, as OpenAI's Assistants event stream ending in `done`, after the
    /// <paramref name="lead"/> events. The run is stored before the first event is written, so a client gone by then
    /// (or at any later write) still has it executed to its end: cancelled, as a run whose streaming client leaves is,
    /// never left queued to hold its thread.
    /// </summary>
    public static async Task<IResult> StreamAsync(
        RunEntity run, SseWriter sse, RunExecutor executor, HttpContext context, TokenBudget? budget, CancellationToken cancellationToken,
        bool stepContent = false, IReadOnlyList<(string Name, object Data)>? lead = null)
    {
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        async Task SendAsync(string name, object data, CancellationToken token)
        {
            try
            {
                await sse.EventAsync(name, data, token);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // A write can fail before the request's token says the client left; from here on it has.
                await gone.CancelAsync();
                throw new OperationCanceledException(gone.Token);
            }
        }
        try
        {
            foreach (var (name, data) in lead ?? [])
            {
                await SendAsync(name, data, gone.Token);
            }
            await SendAsync("thread.run.queued", RunObject.From(run), gone.Token);
        }
        catch (OperationCanceledException) when (gone.IsCancellationRequested)
        {
            // The executor below, on a stopped token, records the run cancelled.
        }
        // A run continued after tool outputs already counted its first part: only this part's tokens are reported.
        var (prompt, completion) = (run.PromptTokens ?? 0, run.CompletionTokens ?? 0);
        var finished = await executor.ExecuteAsync(run.Id, SendAsync, gone.Token, budget, stepContent);
        if (finished is not null && !gone.IsCancellationRequested)
        {
            await sse.UsageAsync((finished.PromptTokens ?? 0) - prompt, (finished.CompletionTokens ?? 0) - completion, cancellationToken);
            await sse.RawAsync("event: done\ndata: [DONE]\n\n", cancellationToken);
        }
        return TypedResults.Empty;
    }

    public static async Task<IResult> CreateThreadAndRunAsync(
        ThreadAndRunRequest request, CallerIdentity caller, ChatDbContext db, RunQueue queue, FileSearchClient files,
        RunExecutor executor, IChatClient model, Leases leases, IOptions<ChatServiceOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        var run = new RunRequest(request.AssistantId, request.Model, request.Instructions, null, null, request.Stream,
            request.Temperature, request.TopP, request.MaxCompletionTokens, request.Metadata, request.Tools, request.ToolChoice,
            request.MaxPromptTokens, request.ResponseFormat, request.TruncationStrategy, request.ParallelToolCalls, request.ReasoningEffort);
        // Checked before the thread is made, so a refused run leaves no orphan thread behind.
        var checkedRun = await CheckedAsync(run, caller, db, model, options.Value, cancellationToken);
        var thread = (await ThreadsApi.CreateAsync(caller, db, files, cancellationToken,
            (request.Thread ?? new ThreadRequest(null, null)) with { ToolResources = request.ToolResources ?? request.Thread?.ToolResources })).Value!;
        return await CreateRunAsync(thread.Id, run, caller, db, queue, files, executor, model, leases, options, context, thread, cancellationToken,
            checkedRun: checkedRun);
    }

    /// <summary>
    /// Everything of a run request that can be refused without its thread, checked before anything is stored for it
    /// (its thread, when made with it; its additional messages and their attachments): the run's assistant, and its
    /// tools and tool choice as they will be stored.
    /// </summary>
    private static async Task<CheckedRun> CheckedAsync(
        RunRequest request, CallerIdentity caller, ChatDbContext db, IChatClient model, ChatServiceOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.AssistantId))
        {
            throw Access.BadRequest("assistant_id is required.", "missing_assistant_id", "assistant_id");
        }
        Access.CheckSampling(request.Temperature, request.TopP);
        _ = LastMessages(request.TruncationStrategy);
        ModelControls.Read(request.ReasoningEffort, null)?.CheckAnswerable(model);
        if (request.MaxCompletionTokens is <= 0)
        {
            throw Access.BadRequest("max_completion_tokens must be positive.", "invalid_max_completion_tokens", "max_completion_tokens");
        }
        if (request.MaxPromptTokens is <= 0)
        {
            throw Access.BadRequest("max_prompt_tokens must be positive.", "invalid_max_prompt_tokens", "max_prompt_tokens");
        }
        _ = Json.MetadataText(request.Metadata);
        _ = OutputShape.Keep(request.ResponseFormat);
        var assistant = await Access.AssistantAsync(db, caller, request.AssistantId, cancellationToken);
        if (caller.Assistants is not null && !string.IsNullOrWhiteSpace(request.Model) && request.Model != assistant.Model)
        {
            // As with chat completions: a scoped key uses its assistants, not a model of its own choosing.
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status403Forbidden,
                "This API key may only use its assistants' own models.", "Forbidden", "permission_denied");
        }
        var toolsJson = request.Tools is { ValueKind: not JsonValueKind.Null } tools ? RunTools.Validate(tools, options.Passages) : assistant.ToolsJson;
        return new CheckedRun(assistant, toolsJson, RunTools.ValidateChoice(request.ToolChoice, toolsJson));
    }

    private sealed record CheckedRun(AssistantEntity Assistant, string ToolsJson, string ToolChoiceJson);

    public static async Task<Ok<ListResponse<RunObject>>> ListAsync(
        [FromRoute(Name = "thread_id")] string threadId, CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        await RunExpiry.ExpireAsync(db, threadId, cancellationToken);
        return TypedResults.Ok(await Paging.PageAsync(db.Runs.Where(r => r.ThreadId == threadId),
            limit, order, after, before, options.Value.MaxListLimit, RunObject.From, cancellationToken));
    }

    public static async Task<Ok<RunObject>> GetAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "run_id")] string runId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        await RunExpiry.ExpireAsync(db, threadId, cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.ThreadId == threadId, cancellationToken)
            ?? throw Access.NotFound("run", runId);
        return TypedResults.Ok(RunObject.From(run));
    }

    /// <summary>A run's metadata, the one thing of it a client changes (OpenAI's "modify run").</summary>
    public static async Task<Ok<RunObject>> ModifyAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "run_id")] string runId, RunUpdateRequest request, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        var metadata = Json.MetadataText(request.Metadata);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.ThreadId == threadId, cancellationToken)
            ?? throw Access.NotFound("run", runId);
        if (request.Metadata is not null)
        {
            // Only this column: the run's executor may be saving its status at the same moment.
            await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(u => u.SetProperty(r => r.MetadataJson, metadata), cancellationToken);
            run.MetadataJson = metadata;
        }
        return TypedResults.Ok(RunObject.From(run));
    }

    public static async Task<Ok<RunObject>> CancelAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "run_id")] string runId, CallerIdentity caller, ChatDbContext db, RunRegistry registry, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        await RunExpiry.ExpireAsync(db, threadId, cancellationToken);
        // Cancel takes no thread lock (it also runs while the executor saves, and the lock order could deadlock), so each
        // write is made only from the status it read: tool outputs arriving at the same moment win or lose, never both.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.ThreadId == threadId, cancellationToken)
                ?? throw Access.NotFound("run", runId);
            var from = run.Status;
            if (from is not ("queued" or "in_progress" or "requires_action"))
            {
                throw new ApiException(StatusCodes.Status400BadRequest,
                    $"Cannot cancel run with status '{from}'.", "Bad request", "invalid_run_state");
            }
            if (from == "requires_action")
            {
                // Nothing executes a run that waits for tool outputs: it ends here, with its pending calls.
                var now = Ids.Now();
                if (await db.Runs.Where(r => r.Id == runId && r.Status == from).ExecuteUpdateAsync(
                        u => u.SetProperty(r => r.Status, "cancelled").SetProperty(r => r.CancelledAt, now), cancellationToken) == 0)
                {
                    continue;
                }
                await db.RunSteps.Where(s => s.RunId == runId && s.Status == "in_progress")
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, "cancelled").SetProperty(s => s.CancelledAt, now), cancellationToken);
                run.Status = "cancelled";
                run.CancelledAt = now;
                return TypedResults.Ok(RunObject.From(run));
            }
            if (await db.Runs.Where(r => r.Id == runId && r.Status == from)
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, "cancelling"), cancellationToken) == 0)
            {
                continue;
            }
            run.Status = "cancelling";
            // The executor of a live run records "cancelled" itself; a queued one does so when it is picked up.
            registry.Cancel(runId);
            return TypedResults.Ok(RunObject.From(run));
        }
        throw new ApiException(StatusCodes.Status409Conflict,
            "The run kept changing its status while it was being cancelled; try again.", "Conflict", "run_busy");
    }

    private static readonly string[] TruncationTypes = ["auto", "last_messages"];

    /// <summary>
    /// truncation_strategy: "auto" cuts the thread's context by tokens (max_prompt_tokens and the service's own
    /// limit), oldest first; "last_messages" keeps only the thread's last N messages. Null is "auto".
    /// </summary>
    private static int? LastMessages(JsonElement? strategy)
    {
        if (strategy is null or { ValueKind: JsonValueKind.Null })
        {
            return null;
        }
        var given = strategy.Value;
        if (given.ValueKind != JsonValueKind.Object)
        {
            throw Access.BadRequest("truncation_strategy must be an object such as {\"type\":\"auto\"}.", "invalid_type", "truncation_strategy");
        }
        var type = Json.StringOf(given, "type") ?? "";
        if (!TruncationTypes.Contains(type, StringComparer.Ordinal))
        {
            throw RequestErrors.InvalidValue("truncation_strategy.type", type, TruncationTypes);
        }
        if (type == "auto")
        {
            return null;
        }
        return given.TryGetProperty("last_messages", out var last) && last.ValueKind == JsonValueKind.Number && last.TryGetInt32(out var count) && count >= 1
            ? count
            : throw new ApiException(StatusCodes.Status400BadRequest,
                "Invalid 'truncation_strategy.last_messages': with the type 'last_messages' it must be an integer of at least 1.", "Bad request", "invalid_value")
            {
                Param = "truncation_strategy.last_messages",
            };
    }
}
