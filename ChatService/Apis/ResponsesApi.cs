using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Apis;

/// <summary>
/// /v1/responses in OpenAI's shapes: create (streamed or not), retrieve (and replay its stream), delete, cancel and
/// the input items. `model` is an assistant id (its instructions and knowledge apply) or a model name.
/// </summary>
public static class ResponsesApi
{
    private static readonly TimeSpan ReplayPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a followed stream may go without a byte before a comment line is sent, so proxies do not close it while
    /// a model thinks or a response waits in the queue (SSE parsers, OpenAI's SDKs among them, skip comments).
    /// </summary>
    public static readonly TimeSpan KeepAliveEvery = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapResponsesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/responses").WithTags("Responses");
        api.MapPost("/", CreateAsync);
        api.MapPost("/input_tokens", CountInputTokensAsync);
        api.MapGet("/{response_id}", GetAsync);
        api.MapDelete("/{response_id}", DeleteAsync);
        api.MapPost("/{response_id}/cancel", CancelAsync);
        api.MapGet("/{response_id}/input_items", ListInputItemsAsync);
        return app;
    }

    public static async Task<IResult> CreateAsync(
        ResponseRequest request, CallerIdentity caller, ChatDbContext db, ChatEngine engine, ResponseRunner runner, RunRegistry live,
        FileSearchClient fileSearch, BackgroundResponseQueue background, ResponseCompaction compaction, Leases leases, TimeProvider time,
        HttpContext context, CancellationToken cancellationToken)
    {
        var plan = await ResponsePlan.PrepareAsync(request, caller, db, compaction, cancellationToken);
        var snapshot = await engine.GetKnowledgeAsync(plan.Assistant, caller, cancellationToken);
        var search = await SearchAsync(plan.Tools, plan.SearchQuery, plan.IncludeSearchResults, fileSearch, caller, cancellationToken);
        var response = plan.Response;
        var turnInput = search is null ? plan.Turn : plan.Turn with { Passages = [.. search.Results.Select(r => r.ToPassage())] };
        if (response.Background)
        {
            engine.CheckAnswerable(turnInput);
            return await QueueAsync(plan, turnInput, snapshot, search, request.Stream == true, db, background, leases, time, context, cancellationToken);
        }
        var cancel = live.Register(response.Id, context.RequestAborted);
        try
        {
            var turn = await engine.StartAsync(turnInput, snapshot, cancel.Token);
            turn.ShowCacheIn(context.Response);
            // The first piece is awaited before anything is stored or sent, so a provider that fails gets an error body.
            await using var deltas = turn.StreamAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
            var more = await deltas.MoveNextAsync();

            if (plan.Store)
            {
                // Held under a lease like a background one, so a process that dies mid-answer leaves nothing in progress.
                response.LeaseExpiresAt = leases.FromNow();
                AddRows(db, plan);
            }
            await db.SaveChangesAsync(cancellationToken);
            if (plan.Store)
            {
                leases.Hold(response.Id);
            }

            var sse = request.Stream == true ? new SseWriter(context) : null;
            var final = await runner.RunAsync(response, plan.Input, turn, deltas, more, plan.Conversation, plan.Store, sse, cancel, search);
            if (sse is not null)
            {
                return TypedResults.Empty;
            }
            if (response.Status == "failed")
            {
                throw new ApiException(StatusCodes.Status502BadGateway, response.ErrorMessage ?? "The model failed.", "Bad gateway", "upstream_error");
            }
            context.Response.Headers["X-Usage-Tokens"] = string.Create(CultureInfo.InvariantCulture, $"{response.InputTokens},{response.OutputTokens}");
            return TypedResults.Json(final);
        }
        finally
        {
            leases.Release(response.Id);
            live.Unregister(response.Id);
        }
    }

    private static void AddRows(ChatDbContext db, ResponsePlan plan)
    {
        db.Responses.Add(plan.Response);
        db.ResponseItems.AddRange(plan.Input.Select(item => new ResponseItemEntity
        {
            Id = (string)item["id"]!, Seq = Ids.Stamp(), ResponseId = plan.Response.Id, Json = item.ToJsonString(),
        }));
    }

    /// <summary>
    /// A background create: checked, its knowledge read and its file search made as a foreground one, stored queued and
    /// answered at once with its first events stored; <see cref="BackgroundResponseWorker"/> asks the model. With
    /// `stream` the answer is its events, followed from storage as they are made; a client that leaves stops following,
    /// not the response.
    /// </summary>
    private static async Task<IResult> QueueAsync(
        ResponsePlan plan, TurnInput turn, KnowledgeSnapshot snapshot, ResponseSearch? search, bool stream, ChatDbContext db,
        BackgroundResponseQueue background, Leases leases, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var response = plan.Response;
        response.LeaseExpiresAt = leases.FromNow();
        AddRows(db, plan);
        db.ResponseEvents.AddRange(ResponseRunner.QueuedEvents(response));
        await db.SaveChangesAsync(cancellationToken);
        background.Enqueue(new QueuedResponse(response.Id, plan.Input, turn, snapshot, search, plan.Conversation?.Id));
        if (!stream)
        {
            return TypedResults.Json(ResponseJson.Build(response, []));
        }
        await ReplayAsync(db, response.Id, -1, context, time, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>
    /// The file search a file_search tool asks for, done before the model is asked, with the last user message as
    /// the query. Its failures (a store the caller may not reach: 404) are the request's, before anything is stored.
    /// </summary>
    private static async Task<ResponseSearch?> SearchAsync(
        ResponseTools tools, string query, bool includeResults, FileSearchClient fileSearch, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (!tools.Searches)
        {
            return null;
        }
        var results = await fileSearch.SearchAsync(tools.FileSearch!.VectorStoreIds, tools.FileSearch.Query(query), caller, cancellationToken);
        return new ResponseSearch(query, results, includeResults);
    }

    /// <summary>
    /// OpenAI's token count: the input tokens a create with these fields would send the model now (its history, the
    /// assistant's instructions and knowledge, what a file_search tool finds), checked as create checks them. No model
    /// is asked, so no API key's token budget is spent.
    /// </summary>
    public static async Task<IResult> CountInputTokensAsync(
        InputTokensRequest? request, CallerIdentity caller, ChatDbContext db, ChatEngine engine, FileSearchClient fileSearch, ResponseCompaction compaction,
        CancellationToken cancellationToken)
    {
        var prompt = await ResponsePrompt.ResolveAsync(request ?? InputTokensRequest.Empty, caller, db, compaction, cancellationToken);
        var snapshot = await engine.GetKnowledgeAsync(prompt.Assistant, caller, cancellationToken);
        var search = await SearchAsync(prompt.Tools, prompt.SearchQuery, false, fileSearch, caller, cancellationToken);
        var turn = search is null ? prompt.Turn : prompt.Turn with { Passages = [.. search.Results.Select(r => r.ToPassage())] };
        return TypedResults.Json(new InputTokenCount(await engine.CountPromptAsync(turn, snapshot, cancellationToken)));
    }

    public static async Task<IResult> GetAsync(
        [FromRoute(Name = "response_id")] string responseId, CallerIdentity caller, ChatDbContext db, TimeProvider time, HttpContext context,
        CancellationToken cancellationToken, bool? stream = null, [FromQuery(Name = "starting_after")] int? startingAfter = null)
    {
        var include = Includes.FromQuery(context, Includes.ResponseValues);
        var response = await Access.OwnedAsync(db.Responses.AsNoTracking(), caller, "response", responseId, cancellationToken);
        if (stream != true)
        {
            return TypedResults.Json(ResponseJson.Build(response, await OutputAsync(db, responseId, include.Contains(Includes.FileSearchResults), cancellationToken)));
        }
        await ReplayAsync(db, responseId, startingAfter ?? -1, context, time, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>
    /// The stored events after <paramref name="after"/>; while the response is still being made (here or on another
    /// replica) new ones are read as they are stored, until it ends: every end stores its terminal event with its status
    /// (a cancelled response has none, so its stream just ends), and a response whose maker died is failed once its
    /// lease runs out. A quiet stream gets a keep-alive comment every <see cref="KeepAliveEvery"/>.
    /// </summary>
    private static async Task ReplayAsync(ChatDbContext db, string responseId, int after, HttpContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        // A follower only watches: when this process stops, its stream ends at once (the client resumes it with
        // starting_after on any replica) rather than holding the stop until the host's shutdown timeout aborts it.
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var following = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        try
        {
            await FollowAsync(db, responseId, after, new SseWriter(context), time, following.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task FollowAsync(ChatDbContext db, string responseId, int after, SseWriter sse, TimeProvider time, CancellationToken cancellationToken)
    {
        var wrote = time.GetTimestamp();
        while (true)
        {
            var status = await db.Responses.AsNoTracking().Where(r => r.Id == responseId).Select(r => r.Status).FirstOrDefaultAsync(cancellationToken);
            var events = await db.ResponseEvents.AsNoTracking()
                .Where(e => e.ResponseId == responseId && e.SequenceNumber > after)
                .OrderBy(e => e.SequenceNumber).ToListAsync(cancellationToken);
            // A write's time is read before it goes out: one read after it could already be later than the client's
            // next step (on a test's manual clock, a whole keep-alive period later).
            foreach (var stored in events)
            {
                wrote = time.GetTimestamp();
                await sse.RawAsync(ResponseEventLog.Frame(stored), cancellationToken);
                after = stored.SequenceNumber;
            }
            // Status was read before the events: once it is final, every event was stored with it.
            if (status is null or not ("queued" or "in_progress"))
            {
                return;
            }
            if (time.GetElapsedTime(wrote) >= KeepAliveEvery)
            {
                wrote = time.GetTimestamp();
                await sse.RawAsync(": keep-alive\n\n", cancellationToken);
            }
            await Task.Delay(ReplayPoll, time, cancellationToken);
        }
    }

    public static async Task<IResult> DeleteAsync(
        [FromRoute(Name = "response_id")] string responseId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await Access.OwnedAsync(db.Responses.AsNoTracking(), caller, "response", responseId, cancellationToken);
        await DeleteOnce.RunAsync(db, "response", responseId, ct => db.Responses.Where(r => r.Id == responseId).ExecuteDeleteAsync(ct),
            [
                ct => db.ResponseEvents.Where(e => e.ResponseId == responseId).ExecuteDeleteAsync(ct),
                ct => db.ResponseItems.Where(i => i.ResponseId == responseId).ExecuteDeleteAsync(ct),
            ], cancellationToken);
        return TypedResults.Ok(new DeletedObject(responseId, "response", true));
    }

    /// <summary>
    /// Stops a response still being made, on whichever replica makes it (it reads the flag at its next checkpoint); a
    /// queued one ends cancelled before the model is asked. A cancelled response is returned as it is; one that already
    /// ended cannot be cancelled, nor one that ended otherwise while the cancel waited (its maker finished first).
    /// </summary>
    public static async Task<IResult> CancelAsync(
        [FromRoute(Name = "response_id")] string responseId, CallerIdentity caller, ChatDbContext db, RunRegistry live, CancellationToken cancellationToken)
    {
        var response = await Access.OwnedAsync(db.Responses, caller, "response", responseId, cancellationToken);
        RefuseEnded(response);
        if (response.Status == "queued")
        {
            // Only while still queued: once the worker took it, it is stopped as any response being made.
            await db.Responses.Where(r => r.Id == responseId && r.Status == "queued")
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, "cancelled").SetProperty(r => r.CancelRequested, true), cancellationToken);
            await db.Entry(response).ReloadAsync(cancellationToken);
        }
        if (response.Status == "in_progress")
        {
            response.CancelRequested = true;
            await db.SaveChangesAsync(cancellationToken);
            live.Cancel(responseId);
            for (var i = 0; i < 50 && response.Status == "in_progress"; i++)
            {
                await Task.Delay(ReplayPoll, cancellationToken);
                await db.Entry(response).ReloadAsync(cancellationToken);
            }
            RefuseEnded(response);
        }
        return TypedResults.Json(ResponseJson.Build(response, await OutputAsync(db, responseId, false, cancellationToken)));
    }

    private static void RefuseEnded(ResponseEntity response)
    {
        if (response.Status is not ("queued" or "in_progress" or "cancelled"))
        {
            throw Access.BadRequest($"Cannot cancel a response whose status is {response.Status}.", "response_not_cancellable");
        }
    }

    public static async Task<IResult> ListInputItemsAsync(
        [FromRoute(Name = "response_id")] string responseId, CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options,
        HttpContext context, CancellationToken cancellationToken, int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        var include = Includes.FromQuery(context, Includes.ResponseValues);
        await Access.OwnedAsync(db.Responses.AsNoTracking(), caller, "response", responseId, cancellationToken);
        var query = db.ResponseItems.Where(i => i.ResponseId == responseId && !i.Output);
        return TypedResults.Json(await ItemPaging.PageAsync(query, limit, order, after, before, options.Value.MaxListLimit,
            include.Contains(Includes.FileSearchResults), cancellationToken));
    }

    private static async Task<List<JsonObject>> OutputAsync(ChatDbContext db, string responseId, bool searchResults, CancellationToken cancellationToken)
    {
        var rows = await db.ResponseItems.AsNoTracking().Where(i => i.ResponseId == responseId && i.Output)
            .OrderBy(i => i.Seq).ToListAsync(cancellationToken);
        return [.. rows.Select(i => ResponseItems.Shown(ResponseJson.Parse(i.Json), searchResults))];
    }
}
