using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;

namespace ChatService.Services;

/// <summary>
/// The file search done for a response: its query, what it found (kept with the response), and whether this
/// request's answer shows the results.
/// </summary>
public sealed record ResponseSearch(string Query, IReadOnlyList<FileSearchResult> Results, bool IncludeResults);

/// <summary>
/// Makes one response from a started chat turn, in OpenAI's event order: response.created, response.in_progress,
/// then each output item announced (output_item.added, content_part.added) before its deltas and closed by its
/// .done events, and last the terminal response.completed / incomplete / failed carrying the whole response. A
/// response that is not streamed goes through the same events (kept for replay), only nobody reads them live.
/// </summary>
public sealed partial class ResponseRunner(ChatDbContext db, RunRegistry live, TimeProvider time, Leases leases, ILogger<ResponseRunner> logger)
{
    /// <summary>
    /// The events a background create stores with its response, numbered from 0: OpenAI's background stream shows the
    /// response queued first (response.created, response.queued), before any worker takes it.
    /// </summary>
    public static List<ResponseEventEntity> QueuedEvents(ResponseEntity response) =>
    [
        ResponseEventLog.Row(response.Id, 0, "response.created", Whole(response, [], true, "queued")),
        ResponseEventLog.Row(response.Id, 1, "response.queued", Whole(response, [], true, "queued")),
    ];

    /// <param name="deltas">
    /// The turn's text stream, already moved to its first piece (<paramref name="more"/> says whether there is one), or
    /// not yet moved (null: a background response, whose failure to start is its own, not a request's).
    /// </param>
    /// <param name="stopping">The service's stop: a response it stops ends failed, not cancelled.</param>
    public async Task<JsonObject> RunAsync(
        ResponseEntity response, IReadOnlyList<JsonObject> input, ChatTurn turn, IAsyncEnumerator<string> deltas, bool? more,
        ConversationEntity? conversation, bool store, SseWriter? sse, CancellationTokenSource cancel, ResponseSearch? search = null,
        CancellationToken stopping = default)
    {
        var token = cancel.Token;
        // A background response's first events were stored by its create (QueuedEvents).
        var log = new ResponseEventLog(db, response, store, sse, live, time, leases, response.Background ? 2 : 0);
        var output = new List<JsonObject>();
        if (!response.Background)
        {
            await log.EmitAsync("response.created", Whole(response, output, store), token).ConfigureAwait(false);
        }
        await log.EmitAsync("response.in_progress", Whole(response, output, store), token).ConfigureAwait(false);

        var message = new MessageWriter(log, output);
        try
        {
            if (search is not null)
            {
                await EmitSearchAsync(log, output, search, token).ConfigureAwait(false);
            }
            for (var next = more ?? await deltas.MoveNextAsync().ConfigureAwait(false); next; next = await deltas.MoveNextAsync().ConfigureAwait(false))
            {
                await message.AppendAsync(deltas.Current, token).ConfigureAwait(false);
            }
            if (message.IsOpen || turn.ToolCalls.Count == 0)
            {
                await message.CloseAsync(turn.Cut ? "incomplete" : "completed", search?.Results, token).ConfigureAwait(false);
            }
            foreach (var call in turn.ToolCalls)
            {
                await EmitCallAsync(log, output, call, token).ConfigureAwait(false);
            }
            (response.Status, response.IncompleteReason) = turn.FinishReason switch
            {
                "length" => ("incomplete", "max_output_tokens"),
                "content_filter" => ("incomplete", "content_filter"),
                _ => ("completed", (string?)null),
            };
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            response.Status = "cancelled";
            if (stopping.IsCancellationRequested)
            {
                response.Status = "failed";
                (response.ErrorCode, response.ErrorMessage) = ("server_error", BackgroundResponseWorker.StoppedMessage);
            }
            message.Abandon();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An ApiException's text is written for clients; anything else stays in the log.
            LogFailed(logger, ex, response.Id);
            response.Status = "failed";
            (response.ErrorCode, response.ErrorMessage) = ErrorOf(ex, "The model failed while answering.");
            message.Abandon();
        }

        response.CompletedAt = response.Status == "completed" ? Ids.Now() : null;
        response.InputTokens = turn.PromptTokens;
        // A stopped answer (cancelled, or the model breaking off) counts what it streamed, as a run's does.
        response.OutputTokens = response.Status is "cancelled" or "failed" ? TokenEstimator.Count(message.Text) : turn.CompletionTokens;
        var final = ResponseJson.Build(response, output.Select(item => ResponseItems.Shown(item, search?.IncludeResults ?? false)), store);
        var terminal = ResponseEnding.EventOf(response.Status);
        var terminalJson = terminal is null ? null : log.Record(terminal, new JsonObject { ["response"] = final });

        // Saved whatever happened to the client: a response that ran is on record, and its conversation goes on.
        if (!await SaveAsync(response, input, output, conversation, store, log).ConfigureAwait(false))
        {
            final = await LostAsync(response, log).ConfigureAwait(false);
        }
        else if (terminal is not null)
        {
            await log.WriteAsync(terminal, terminalJson!, CancellationToken.None).ConfigureAwait(false);
        }
        await log.UsageAsync(turn.PromptTokens, response.OutputTokens ?? 0, CancellationToken.None).ConfigureAwait(false);
        return final;
    }

    /// <summary>
    /// A response that ended elsewhere while this process made it (its lease ran out and a replica's sweep failed it)
    /// or was deleted keeps what was stored: this process's answer is dropped, and its client gets the stored end.
    /// </summary>
    private async Task<JsonObject> LostAsync(ResponseEntity response, ResponseEventLog log)
    {
        LogLost(logger, response.Id);
        db.ChangeTracker.Clear();
        var stored = await db.Responses.AsNoTracking().FirstOrDefaultAsync(r => r.Id == response.Id).ConfigureAwait(false);
        if (stored is null)
        {
            return ResponseJson.Build(response, []);
        }
        (response.Status, response.ErrorCode, response.ErrorMessage, response.CompletedAt) = (stored.Status, stored.ErrorCode, stored.ErrorMessage, stored.CompletedAt);
        await log.WriteStoredEndAsync().ConfigureAwait(false);
        var output = await db.ResponseItems.AsNoTracking().Where(i => i.ResponseId == response.Id && i.Output).OrderBy(i => i.Seq)
            .Select(i => i.Json).ToListAsync().ConfigureAwait(false);
        return ResponseJson.Build(stored, output.Select(ResponseJson.Parse));
    }

    /// <summary>
    /// A failed response's error: an ApiException's text is written for clients, anything else says only
    /// <paramref name="otherwise"/>. The code is one of those OpenAI's response error names (and its SDKs parse).
    /// </summary>
    public static (string Code, string Message) ErrorOf(Exception ex, string otherwise) => ex is ApiException api
        ? (api.Code == "rate_limit_exceeded" ? api.Code : "server_error", api.Message)
        : ("server_error", otherwise);

    private static JsonObject Whole(ResponseEntity response, IEnumerable<JsonObject> output, bool store, string? status = null)
    {
        var whole = ResponseJson.Build(response, output, store);
        whole["status"] = status ?? response.Status;
        return new() { ["response"] = whole };
    }

    private static async Task EmitSearchAsync(ResponseEventLog log, List<JsonObject> output, ResponseSearch search, CancellationToken token)
    {
        var index = output.Count;
        var id = Ids.New("fs");
        var item = ResponseItems.FileSearchCall(id, "completed", [search.Query], search.Results);
        output.Add(item);
        await log.EmitAsync("response.output_item.added", new JsonObject
        {
            ["output_index"] = index,
            ["item"] = ResponseItems.FileSearchCall(id, "in_progress", [], null),
        }, token).ConfigureAwait(false);
        foreach (var phase in new[] { "in_progress", "searching", "completed" })
        {
            await log.EmitAsync($"response.file_search_call.{phase}", new JsonObject { ["output_index"] = index, ["item_id"] = id }, token).ConfigureAwait(false);
        }
        await log.EmitAsync("response.output_item.done",
            new JsonObject { ["output_index"] = index, ["item"] = ResponseItems.Shown(item, search.IncludeResults).DeepClone() }, token).ConfigureAwait(false);
    }

    private static async Task EmitCallAsync(ResponseEventLog log, List<JsonObject> output, Microsoft.Extensions.AI.FunctionCallContent call, CancellationToken token)
    {
        var index = output.Count;
        var id = Ids.New("fc");
        var arguments = FunctionArguments.Text(call);
        var item = ResponseItems.FunctionCall(id, call.CallId, call.Name, arguments);
        output.Add(item);
        await log.EmitAsync("response.output_item.added", new JsonObject
        {
            ["output_index"] = index,
            ["item"] = ResponseItems.FunctionCall(id, call.CallId, call.Name, "", "in_progress"),
        }, token).ConfigureAwait(false);
        await log.EmitAsync("response.function_call_arguments.delta",
            new JsonObject { ["item_id"] = id, ["output_index"] = index, ["delta"] = arguments }, token).ConfigureAwait(false);
        await log.EmitAsync("response.function_call_arguments.done",
            new JsonObject { ["item_id"] = id, ["output_index"] = index, ["name"] = call.Name, ["arguments"] = arguments }, token).ConfigureAwait(false);
        await log.EmitAsync("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = item.DeepClone() }, token).ConfigureAwait(false);
    }

    /// <returns>False when the response is no longer this process's to end (<see cref="ResponseEventLog.Lost"/>): nothing is written.</returns>
    private async Task<bool> SaveAsync(
        ResponseEntity response, IReadOnlyList<JsonObject> input, List<JsonObject> output, ConversationEntity? conversation, bool store, ResponseEventLog log)
    {
        try
        {
            await using var transaction = store ? await db.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false) : null;
            if (store)
            {
                // The row first, still in progress: a replica's sweep that failed it, or a delete, wins over this answer.
                if (!await log.ClaimEndAsync().ConfigureAwait(false))
                {
                    return false;
                }
                db.ResponseItems.AddRange(output.Select(item => new ResponseItemEntity
                {
                    Id = (string)item["id"]!, Seq = Ids.Stamp(), ResponseId = response.Id, Output = true, Json = item.ToJsonString(),
                }));
                log.Stage();
            }
            if (conversation is not null && response.Status is "completed" or "incomplete")
            {
                db.ConversationItems.AddRange(input.Concat(output).Select(item => new ConversationItemEntity
                {
                    Id = (string)item["id"]!, Seq = Ids.Stamp(), ConversationId = conversation.Id, Json = item.ToJsonString(),
                }));
                conversation.UpdatedAt = Ids.Now();
            }
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            if (transaction is not null)
            {
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return true;
        }
        catch (DbUpdateException ex)
        {
            LogSaveFailed(logger, ex, response.Id);
            throw new ApiException(StatusCodes.Status500InternalServerError, "The response could not be saved.", "Server error", "server_error");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {ResponseId} ended elsewhere while it was made here; its answer is dropped")]
    private static partial void LogLost(ILogger logger, string responseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {ResponseId} failed while answering")]
    private static partial void LogFailed(ILogger logger, Exception exception, string responseId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Response {ResponseId} could not be saved")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string responseId);

    /// <summary>The assistant message of the output: opened on its first piece of text, closed once.</summary>
    private sealed class MessageWriter(ResponseEventLog log, List<JsonObject> output)
    {
        private readonly StringBuilder _text = new();
        private string? _id;
        private int _index;

        public bool IsOpen => _id is not null;
        public string Text => _text.ToString();

        public async Task AppendAsync(string delta, CancellationToken token)
        {
            if (_id is null)
            {
                await OpenAsync(token).ConfigureAwait(false);
            }
            _text.Append(delta);
            await log.EmitAsync("response.output_text.delta", Part(new JsonObject { ["delta"] = delta, ["logprobs"] = new JsonArray() }), token)
                .ConfigureAwait(false);
        }

        /// <summary>Closes the message; citation markers of <paramref name="results"/> become its annotations.</summary>
        public async Task CloseAsync(string status, IReadOnlyList<FileSearchResult>? results, CancellationToken token)
        {
            if (_id is null)
            {
                await OpenAsync(token).ConfigureAwait(false);
            }
            var text = _text.ToString();
            var annotations = ResponseItems.Citations(text, results);
            for (var i = 0; i < annotations.Count; i++)
            {
                await log.EmitAsync("response.output_text.annotation.added",
                    Part(new JsonObject { ["annotation_index"] = i, ["annotation"] = annotations[i]!.DeepClone() }), token).ConfigureAwait(false);
            }
            await log.EmitAsync("response.output_text.done", Part(new JsonObject { ["text"] = text, ["logprobs"] = new JsonArray() }), token).ConfigureAwait(false);
            await log.EmitAsync("response.content_part.done", Part(new JsonObject { ["part"] = ResponseItems.OutputText(text, annotations) }), token)
                .ConfigureAwait(false);
            var item = ResponseItems.Message("assistant", text, _id, status, annotations);
            output[_index] = item;
            await log.EmitAsync("response.output_item.done", new JsonObject { ["output_index"] = _index, ["item"] = item.DeepClone() }, token)
                .ConfigureAwait(false);
            _id = null;
        }

        /// <summary>A message cut short (cancelled, failed) keeps the text it had, marked incomplete.</summary>
        public void Abandon()
        {
            if (_id is not null)
            {
                output[_index] = ResponseItems.Message("assistant", _text.ToString(), _id, "incomplete");
                _id = null;
            }
        }

        private async Task OpenAsync(CancellationToken token)
        {
            _id = Ids.New("msg");
            _index = output.Count;
            var opened = new JsonObject
            {
                ["id"] = _id, ["type"] = "message", ["status"] = "in_progress", ["role"] = "assistant", ["content"] = new JsonArray(),
            };
            output.Add(opened);
            await log.EmitAsync("response.output_item.added", new JsonObject { ["output_index"] = _index, ["item"] = opened.DeepClone() }, token)
                .ConfigureAwait(false);
            await log.EmitAsync("response.content_part.added", Part(new JsonObject { ["part"] = ResponseItems.OutputText("") }), token)
                .ConfigureAwait(false);
        }

        private JsonObject Part(JsonObject fields)
        {
            var part = new JsonObject { ["item_id"] = _id, ["output_index"] = _index, ["content_index"] = 0 };
            foreach (var (key, value) in fields)
            {
                part[key] = value?.DeepClone();
            }
            return part;
        }
    }
}
