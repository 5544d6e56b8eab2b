using ChatService.Budgets;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;

namespace ChatService.Services;

/// <summary>An Assistants stream event: its name and the object it carries.</summary>
public delegate Task RunEventSink(string name, object data, CancellationToken cancellationToken);

/// <summary>
/// Carries a run from queued to completed (or failed, cancelled, or requires_action): builds the thread's context,
/// searches the run's vector stores when it has file_search (a tool_calls step with the results; the answer cites
/// them), streams the model's answer into a new assistant message (a message_creation step), and stops for tool
/// outputs when the model calls functions. The same code serves polled runs (in the background, no sink), streamed
/// runs (the sink writes SSE) and runs continued by submit_tool_outputs.
/// </summary>
public sealed partial class RunExecutor(
    ChatDbContext db, ChatEngine engine, ThreadContext threadContext, RunRegistry registry, FileSearchClient fileSearch,
    IOptions<ChatServiceOptions> options, Leases leases, IHostApplicationLifetime lifetime, ILogger<RunExecutor> logger)
{
    /// <summary>How long a run waits for tool outputs (OpenAI's ten minutes).</summary>
    public static readonly TimeSpan ToolOutputWait = TimeSpan.FromMinutes(10);

    /// <param name="stepContent">Whether the file search step's events show its results' content (include[] on run create).</param>
    public async Task<RunEntity?> ExecuteAsync(string runId, RunEventSink? sink, CancellationToken cancellationToken, TokenBudget? budget = null,
        bool stepContent = false)
    {
        sink ??= static (_, _, _) => Task.CompletedTask;
        // Read whatever the token says: a streamed run whose client is already gone must still be ended, not left queued.
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, CancellationToken.None).ConfigureAwait(false);
        if (run is null)
        {
            return null;
        }
        if (run.Status is not "queued" || !await TakeAsync(run).ConfigureAwait(false))
        {
            // Taken by another replica, or cancelled before it was taken: only the latter is this executor's to record.
            if (run.Status == "cancelling")
            {
                await CancelledAsync(run, sink).ConfigureAwait(false);
            }
            return run;
        }

        using var cancellation = registry.Register(run.Id, cancellationToken);
        var token = cancellation.Token;
        MessageEntity? message = null;
        RunStepEntity? step = null;
        ChatTurn? turn = null;
        try
        {
            await sink("thread.run.in_progress", RunObject.From(run), token).ConfigureAwait(false);

            var thread = await db.Threads.FirstAsync(t => t.Id == run.ThreadId, token).ConfigureAwait(false);
            var assistant = await db.Assistants.AsNoTracking().FirstOrDefaultAsync(a => a.Id == run.AssistantId, token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The run's assistant {run.AssistantId} no longer exists.");
            // The run may go on after its request (polled runs): its sibling calls speak for the owner, on this assistant only.
            var caller = new ServiceDefaults.Identity.CallerIdentity(thread.OwnerId, Assistants: [assistant.Id]);
            var snapshot = await engine.GetKnowledgeAsync(assistant, caller, token).ConfigureAwait(false);
            var turns = await threadContext.TurnsAsync(thread, assistant, snapshot, token).ConfigureAwait(false);
            if (run.TruncationLastMessages is { } last && turns.Count > last)
            {
                // truncation_strategy last_messages: the thread's oldest messages stay out; instructions and knowledge go in.
                turns.RemoveRange(0, turns.Count - last);
            }
            var tools = RunTools.Read(run.ToolsJson, run.ToolChoiceJson, options.Value.Passages);
            var earlier = await db.RunSteps.AsNoTracking().Where(s => s.RunId == run.Id).ToListAsync(token).ConfigureAwait(false);
            turns.AddRange(RunSteps.FunctionHistory(earlier));

            IReadOnlyList<FileSearchResult>? results = null;
            if (tools.FileSearch is { } settings)
            {
                results = RunSteps.FileSearchResults(earlier)
                    ?? await SearchAsync(run, thread, assistant, settings, turns, sink, stepContent, token).ConfigureAwait(false);
            }

            turn = await engine.StartAsync(
                new TurnInput(caller, assistant, run.Model, run.Instructions,
                    results is null ? run.AdditionalInstructions : string.Join("\n\n", new[] { run.AdditionalInstructions, FileCitations.Instruction }.OfType<string>()),
                    turns, run.Temperature, run.TopP, run.MaxCompletionTokens, tools.Functions, tools.Mode,
                    results?.Select(r => r.ToPassage()).ToList(), budget, OutputShape.FromKept(run.ResponseFormatJson), run.MaxPromptTokens,
                    run.ParallelToolCalls, Controls: ModelControls.Read(run.ReasoningEffort, null), SearchNamedStores: false),
                snapshot, token).ConfigureAwait(false);
            await foreach (var delta in turn.StreamAsync(token).ConfigureAwait(false))
            {
                if (message is null)
                {
                    (message, step) = NewMessage(run);
                    await StartMessageAsync(message, step, sink, token).ConfigureAwait(false);
                }
                await sink("thread.message.delta",
                    new MessageDeltaObject(message.Id, new MessageDelta([new DeltaTextPart(0, new TextValue(delta))])), token).ConfigureAwait(false);
            }

            if (turn.ToolCalls.Count > 0)
            {
                await RequireActionAsync(run, message, step, turn, sink, token).ConfigureAwait(false);
                return run;
            }
            if (message is null)
            {
                (message, step) = NewMessage(run);
                await StartMessageAsync(message, step, sink, token).ConfigureAwait(false);
            }
            var now = Ids.Now();
            // An answer cut at its token cap ends the run and its message "incomplete", as OpenAI's do.
            var outcome = turn.Cut ? "incomplete" : "completed";
            message.Content = turn.Text;
            message.AnnotationsJson = results is null ? "[]" : FileCitations.Annotations(turn.Text, results);
            message.Status = "completed";
            message.CompletedAt = now;
            if (outcome == "incomplete")
            {
                message.MarkIncomplete("max_tokens", now);
            }
            step!.Status = "completed";
            step.CompletedAt = now;
            run.Status = outcome;
            run.CompletedAt = outcome == "completed" ? now : null;
            run.PromptTokens = (run.PromptTokens ?? 0) + turn.PromptTokens;
            run.CompletionTokens = (run.CompletionTokens ?? 0) + turn.CompletionTokens;
            if (!await SaveEndAsync(run, sink).ConfigureAwait(false))
            {
                return run;
            }
            await sink($"thread.message.{outcome}", MessageObject.From(message), token).ConfigureAwait(false);
            await sink("thread.run.step.completed", RunStepObject.From(step), token).ConfigureAwait(false);
            await sink($"thread.run.{outcome}", RunObject.From(run), token).ConfigureAwait(false);
            return run;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !Ended(run))
        {
            if (message is not null && turn is not null)
            {
                // What was said before the stop stays readable, marked incomplete.
                message.Content = turn.Text;
            }
            if (lifetime.ApplicationStopping.IsCancellationRequested && !await CancelAskedAsync(run.Id).ConfigureAwait(false))
            {
                // The service is stopping: the user cancelled nothing, and "cancelled" would say they did.
                await FailedAsync(run, message, turn, "server_error", RunLeaseKeeper.StoppedMessage, sink)
                    .ConfigureAwait(false);
                return run;
            }
            // A cancel request, or the streaming client went away: either way the model call is stopped.
            await CancelledAsync(run, sink).ConfigureAwait(false);
            return run;
        }
        catch (Exception ex) when (Ended(run))
        {
            // The run's end is saved; only the events after it were cut (a client gone, a cancel a moment late).
            LogLateStop(logger, run.Id, ex.GetType().Name);
            return run;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, run.Id);
            await FailedAsync(run, message, turn,
                ex is ServiceDefaults.Errors.ApiException { StatusCode: 429 } ? "rate_limit_exceeded" : "server_error",
                ex is ServiceDefaults.Errors.ApiException api ? api.Message : "The run failed while the answer was made.", sink).ConfigureAwait(false);
            return run;
        }
        finally
        {
            registry.Unregister(run.Id);
        }
    }

    /// <summary>
    /// Moves the run from queued to in_progress under this process's lease, only while it is still queued: two replicas
    /// that both found it (a start-up's recovery, a cancel) cannot both execute it. The run is read again either way.
    /// </summary>
    private async Task<bool> TakeAsync(RunEntity run)
    {
        var now = Ids.Now();
        var until = leases.FromNow();
        var taken = await db.Runs.Where(r => r.Id == run.Id && r.Status == "queued").ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, "in_progress")
            .SetProperty(r => r.StartedAt, r => r.StartedAt ?? now)
            .SetProperty(r => r.LeaseExpiresAt, until), CancellationToken.None).ConfigureAwait(false) == 1;
        await db.Entry(run).ReloadAsync(CancellationToken.None).ConfigureAwait(false);
        return taken;
    }

    /// <summary>
    /// The run's file search, recorded as a tool_calls step: the assistant's own store, the assistant's and the thread's
    /// vector stores, searched as the thread's owner (the stores were checked against the caller when they were set).
    /// </summary>
    private async Task<IReadOnlyList<FileSearchResult>> SearchAsync(
        RunEntity run, ThreadEntity thread, AssistantEntity assistant, FileSearchSettings settings,
        IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> turns, RunEventSink sink, bool withContent, CancellationToken token)
    {
        var callId = Ids.New("call");
        var step = RunSteps.New(run, "tool_calls", RunSteps.FileSearch(callId, settings, []));
        db.RunSteps.Add(step);
        await db.SaveChangesAsync(token).ConfigureAwait(false);
        await AnnounceToolCallsAsync(step, sink, token).ConfigureAwait(false);

        var stores = new[] { ToolResources.OwnStore(assistant.Id) }
            .Concat(ToolResources.StoreIds(assistant.ToolResourcesJson))
            .Concat(ToolResources.StoreIds(thread.ToolResourcesJson))
            .ToList();
        var question = turns.LastOrDefault(t => t.Role == Microsoft.Extensions.AI.ChatRole.User)?.Text ?? "";
        var results = await fileSearch.SearchAsync(stores,
            new FileSearchQuery(question, settings.MaxNumResults, ScoreThreshold: settings.ScoreThreshold),
            new ServiceDefaults.Identity.CallerIdentity(thread.OwnerId), token, skipGone: true).ConfigureAwait(false);

        step.DetailsJson = RunSteps.FileSearch(callId, settings, results);
        step.Status = "completed";
        step.CompletedAt = Ids.Now();
        await db.SaveChangesAsync(token).ConfigureAwait(false);
        await sink("thread.run.step.completed", RunStepObject.From(step, withContent), token).ConfigureAwait(false);
        return results;
    }

    /// <summary>The answer's message and its message_creation step, made when the first words arrive.</summary>
    private (MessageEntity, RunStepEntity) NewMessage(RunEntity run)
    {
        var message = new MessageEntity
        {
            Id = Ids.New("msg"),
            ThreadId = run.ThreadId,
            CreatedAt = Ids.Now(),
            Role = "assistant",
            Content = "",
            Status = "in_progress",
            AssistantId = run.AssistantId,
            RunId = run.Id,
        };
        var step = RunSteps.New(run, "message_creation", RunSteps.MessageCreation(message.Id));
        db.Messages.Add(message);
        db.RunSteps.Add(step);
        return (message, step);
    }

    /// <summary>Stores the answer's message and step and announces them; the caller holds both first, so a stop at any
    /// point here still ends them with the run.</summary>
    private async Task StartMessageAsync(MessageEntity message, RunStepEntity step, RunEventSink sink, CancellationToken token)
    {
        await db.SaveChangesAsync(token).ConfigureAwait(false);
        await sink("thread.run.step.created", RunStepObject.From(step), token).ConfigureAwait(false);
        await sink("thread.run.step.in_progress", RunStepObject.From(step), token).ConfigureAwait(false);
        await sink("thread.message.created", MessageObject.From(message), token).ConfigureAwait(false);
        await sink("thread.message.in_progress", MessageObject.From(message), token).ConfigureAwait(false);
    }

    /// <summary>The model called functions: a tool_calls step holds the calls, and the run waits for their outputs.</summary>
    private async Task RequireActionAsync(RunEntity run, MessageEntity? message, RunStepEntity? messageStep, ChatTurn turn, RunEventSink sink, CancellationToken token)
    {
        var now = Ids.Now();
        if (message is not null && messageStep is not null)
        {
            message.Content = turn.Text;
            message.Status = "completed";
            message.CompletedAt = now;
            messageStep.Status = "completed";
            messageStep.CompletedAt = now;
        }
        var step = RunSteps.New(run, "tool_calls", RunSteps.FunctionCalls(turn.ToolCalls));
        db.RunSteps.Add(step);
        run.Status = "requires_action";
        run.RequiredActionJson = RunSteps.RequiredAction(turn.ToolCalls);
        run.ExpiresAt = now + (long)ToolOutputWait.TotalSeconds;
        run.PromptTokens = (run.PromptTokens ?? 0) + turn.PromptTokens;
        run.CompletionTokens = (run.CompletionTokens ?? 0) + turn.CompletionTokens;
        if (!await SaveEndAsync(run, sink).ConfigureAwait(false))
        {
            return;
        }
        if (message is not null && messageStep is not null)
        {
            await sink("thread.message.completed", MessageObject.From(message), token).ConfigureAwait(false);
            await sink("thread.run.step.completed", RunStepObject.From(messageStep), token).ConfigureAwait(false);
        }
        await AnnounceToolCallsAsync(step, sink, token).ConfigureAwait(false);
        await sink("thread.run.requires_action", RunObject.From(run), token).ConfigureAwait(false);
    }

    /// <summary>
    /// A tool_calls step streamed as OpenAI streams one: created and in progress with no calls yet, then a delta with
    /// the calls. The SDKs' stream helpers (toolCallCreated/toolCallDelta, RunStepDetailsUpdate) see calls in deltas only,
    /// and add a delta to what step.created showed, so the calls must not be in both.
    /// </summary>
    private static async Task AnnounceToolCallsAsync(RunStepEntity step, RunEventSink sink, CancellationToken token)
    {
        var announced = RunStepObject.From(step) with { StepDetails = RunSteps.NoCalls };
        await sink("thread.run.step.created", announced, token).ConfigureAwait(false);
        await sink("thread.run.step.in_progress", announced, token).ConfigureAwait(false);
        await sink("thread.run.step.delta", new RunStepDeltaObject(step.Id, new RunStepDelta(RunSteps.CallsDelta(step.DetailsJson))), token).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId);
}
