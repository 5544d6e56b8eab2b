using System.Text;
using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;

namespace ChatService.Services;

/// <summary>
/// The events of one response, numbered from <paramref name="first"/> (0, or after those its create stored), written
/// to the client's stream (when it streams) and kept in the database (when the response is stored) in small batches,
/// so that GET ?stream=true replays them on any replica. Each batch renews the response's lease and looks for a cancel
/// another replica asked for; a batch that finds the response ended elsewhere (its lease ran out while this process
/// stalled) or deleted writes nothing, and the log is <see cref="Lost"/>.
/// </summary>
public sealed class ResponseEventLog(
    ChatDbContext db, ResponseEntity response, bool store, SseWriter? sse, RunRegistry live, TimeProvider time, Leases leases, int first = 0)
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(250);
    private readonly List<ResponseEventEntity> _pending = [];
    private int _next = first;
    private long _lastFlush = time.GetTimestamp();
    private bool _clientGone;

    /// <summary>Another process ended the response, or it was deleted: nothing more of it is stored from here.</summary>
    public bool Lost { get; private set; }

    public async Task EmitAsync(string type, JsonObject payload, CancellationToken cancellationToken)
    {
        var json = Record(type, payload);
        await WriteAsync(type, json, cancellationToken).ConfigureAwait(false);
        if (store && !Lost && time.GetElapsedTime(_lastFlush) >= FlushEvery)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Numbers and keeps an event without sending it yet (the terminal one goes out after the response is saved).</summary>
    public string Record(string type, JsonObject payload)
    {
        var row = Row(response.Id, _next++, type, payload);
        if (store)
        {
            _pending.Add(row);
        }
        return row.Json;
    }

    /// <summary>An event as it is stored and sent: its type, its fields, its sequence number.</summary>
    public static ResponseEventEntity Row(string responseId, int sequenceNumber, string type, JsonObject payload)
    {
        var data = new JsonObject { ["type"] = type };
        foreach (var (key, value) in payload)
        {
            data[key] = value?.DeepClone();
        }
        data["sequence_number"] = sequenceNumber;
        return new ResponseEventEntity { ResponseId = responseId, SequenceNumber = sequenceNumber, Json = data.ToJsonString() };
    }

    /// <summary>Adds the kept events to the unit of work; the caller's SaveChanges writes them.</summary>
    public void Stage()
    {
        db.ResponseEvents.AddRange(_pending);
        _pending.Clear();
    }

    /// <summary>
    /// Takes the response's row for its final save, inside the caller's transaction, releasing its lease: false when
    /// the response is no longer this process's to end (see <see cref="Lost"/>).
    /// </summary>
    public async Task<bool> ClaimEndAsync()
    {
        Lost = Lost || await Going().ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, (long?)null)).ConfigureAwait(false) == 0;
        return !Lost;
    }

    public async Task WriteAsync(string type, string json, CancellationToken cancellationToken)
    {
        if (sse is null || _clientGone)
        {
            return;
        }
        try
        {
            await sse.RawAsync($"event: {type}\ndata: {json}\n\n", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left; the request's abort token stops the model, and the response is still saved.
            _clientGone = true;
        }
    }

    /// <summary>Sends the client the event that ended the response elsewhere (a lost log's live stream ends as stored).</summary>
    public async Task WriteStoredEndAsync()
    {
        var last = await db.ResponseEvents.AsNoTracking().Where(e => e.ResponseId == response.Id).OrderByDescending(e => e.SequenceNumber)
            .FirstOrDefaultAsync().ConfigureAwait(false);
        if (last is not null && (string?)JsonNode.Parse(last.Json)?["type"] is { } type && ResponseEnding.IsTerminal(type))
        {
            await WriteAsync(type, last.Json, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public Task UsageAsync(int input, int output, CancellationToken cancellationToken) =>
        sse is null || _clientGone ? Task.CompletedTask : sse.UsageAsync(input, output, cancellationToken);

    private IQueryable<ResponseEntity> Going() => db.Responses.Where(r => r.Id == response.Id && r.Status == "in_progress");

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The row first, renewing the lease: a replica's sweep waits for this batch, or this batch finds it ended.
        var until = leases.FromNow();
        if (await Going().Where(r => !r.CancelRequested)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, until), cancellationToken).ConfigureAwait(false) == 0)
        {
            // Cancelled (still this process's to end: what was said is kept), ended elsewhere or deleted: the model stops.
            live.Cancel(response.Id);
            if (await Going().ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, until), cancellationToken).ConfigureAwait(false) == 0)
            {
                Lost = true;
                _pending.Clear();
                return;
            }
        }
        Stage();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _lastFlush = time.GetTimestamp();
    }

    /// <summary>Stored events as SSE text (for a replay).</summary>
    public static string Frame(ResponseEventEntity stored)
    {
        var type = (string?)JsonNode.Parse(stored.Json)?["type"] ?? "message";
        return new StringBuilder("event: ").Append(type).Append("\ndata: ").Append(stored.Json).Append("\n\n").ToString();
    }
}
