using ChatService.Budgets;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Identity;

namespace ChatService.Apis;

/// <summary>
/// A run's steps (`/steps`, with include[] for file search result content) and `submit_tool_outputs`, which gives a
/// run in requires_action its function outputs and continues it, streamed or in the background.
/// </summary>
public static class RunStepsApi
{
    public static IEndpointRouteBuilder MapRunStepsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/threads/{thread_id}/runs/{run_id}").WithTags("Runs");
        api.MapGet("/steps", ListAsync);
        api.MapGet("/steps/{step_id}", GetAsync);
        api.MapPost("/submit_tool_outputs", SubmitToolOutputsAsync);
        return app;
    }

    public static async Task<Ok<ListResponse<RunStepObject>>> ListAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "run_id")] string runId, CallerIdentity caller, ChatDbContext db,
        IOptions<ChatServiceOptions> options, HttpContext context, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        await RunAsync(db, caller, threadId, runId, cancellationToken);
        var content = WantsContent(context);
        return TypedResults.Ok(await Paging.PageAsync(db.RunSteps.Where(s => s.RunId == runId),
            limit, order, after, before, options.Value.MaxListLimit, s => RunStepObject.From(s, content), cancellationToken));
    }

    public static async Task<Ok<RunStepObject>> GetAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "run_id")] string runId, [FromRoute(Name = "step_id")] string stepId,
        CallerIdentity caller, ChatDbContext db, HttpContext context, CancellationToken cancellationToken)
    {
        await RunAsync(db, caller, threadId, runId, cancellationToken);
        var step = await db.RunSteps.AsNoTracking().FirstOrDefaultAsync(s => s.Id == stepId && s.RunId == runId, cancellationToken)
            ?? throw Access.NotFound("run step", stepId);
        return TypedResults.Ok(RunStepObject.From(step, WantsContent(context)));
    }

    public static async Task<IResult> SubmitToolOutputsAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "run_id")] string runId, ToolOutputsRequest request,
        CallerIdentity caller, ChatDbContext db, RunQueue queue, RunExecutor executor, Leases leases, HttpContext context, CancellationToken cancellationToken)
    {
        await using var threadLock = await ThreadLock.TakeAsync(db, threadId, cancellationToken);
        var run = await RunAsync(db, caller, threadId, runId, cancellationToken);
        if (run.Status != "requires_action")
        {
            throw Access.BadRequest($"Runs in status '{run.Status}' do not accept tool outputs.", "invalid_run_state");
        }
        var step = await db.RunSteps.Where(s => s.RunId == run.Id && s.Type == "tool_calls" && s.Status == "in_progress")
            .OrderByDescending(s => s.Id).FirstAsync(cancellationToken);
        var pending = RunSteps.CallIds(step.DetailsJson);
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in request.ToolOutputs ?? [])
        {
            if (output.ToolCallId is not { } id || !pending.Contains(id) || !outputs.TryAdd(id, output.Output ?? ""))
            {
                throw Access.BadRequest($"'{output.ToolCallId}' is not a pending tool call of this run, or is given twice.", "invalid_tool_outputs", "tool_outputs");
            }
        }
        if (outputs.Count != pending.Count)
        {
            throw Access.BadRequest($"Outputs are missing for: {string.Join(", ", pending.Where(p => !outputs.ContainsKey(p)))}.", "invalid_tool_outputs", "tool_outputs");
        }

        // Only from requires_action: a cancel, which takes no thread lock, may have ended the run since it was read.
        // Queued again, it is held by this process until executed, as a new run is.
        var until = leases.FromNow();
        if (await db.Runs.Where(r => r.Id == run.Id && r.Status == "requires_action").ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, "queued").SetProperty(r => r.RequiredActionJson, (string?)null).SetProperty(r => r.ExpiresAt, (long?)null)
                .SetProperty(r => r.LeaseExpiresAt, until), cancellationToken) == 0)
        {
            throw Access.BadRequest("The run ended (cancelled or expired) while its tool outputs arrived.", "invalid_run_state");
        }
        (run.Status, run.RequiredActionJson, run.ExpiresAt, run.LeaseExpiresAt) = ("queued", null, null, until);
        step.DetailsJson = RunSteps.WithOutputs(step.DetailsJson, outputs);
        step.Status = "completed";
        step.CompletedAt = Ids.Now();
        await db.SaveChangesAsync(cancellationToken);
        await threadLock.CommitAsync(cancellationToken);

        if (request.Stream != true)
        {
            queue.Enqueue(run.Id, TokenBudget.Of(caller));
            return TypedResults.Ok(RunObject.From(run));
        }
        return await RunsApi.StreamAsync(run, new SseWriter(context), executor, context, TokenBudget.Of(caller), cancellationToken,
            lead: [("thread.run.step.completed", RunStepObject.From(step))]);
    }

    private static async Task<RunEntity> RunAsync(
        ChatDbContext db, CallerIdentity caller, string threadId, string runId, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        await RunExpiry.ExpireAsync(db, threadId, cancellationToken);
        return await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.ThreadId == threadId, cancellationToken)
            ?? throw Access.NotFound("run", runId);
    }

    /// <summary>include[]=step_details.tool_calls[*].file_search.results[*].content, as OpenAI spells it (with or without []).</summary>
    private static bool WantsContent(HttpContext context) =>
        Includes.FromQuery(context, Includes.RunStepValues).Contains(Includes.StepSearchContent);
}
