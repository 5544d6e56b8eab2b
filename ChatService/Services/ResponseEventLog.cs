using System.Text;
using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;

namespace ChatService.Services;

/// <summary>
/// The events of one response, numbered from 0, written to the client's stream (when it streams) and kept in the
/// database (when the response is stored) in small batches, so that GET ?stream=true replays them on any replica.
/// Each batch also looks for a cancel another replica asked for.
/// </summary>
public sealed class ResponseEventLog(ChatDbContext db, ResponseEntity response, bool store, SseWriter? sse, RunRegistry live, TimeProvider time)
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(250);
    private readonly List<ResponseEventEntity> _pending = [];
    private int _next;
    private long _lastFlush = time.GetTimestamp();
    private bool _clientGone;

    public async Task EmitAsync(string type, JsonObject payload, CancellationToken cancellationToken)
    {
        var json = Record(type, payload);
        await WriteAsync(type, json, cancellationToken).ConfigureAwait(false);
        if (store && time.GetElapsedTime(_lastFlush) >= FlushEvery)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Numbers and keeps an event without sending it yet (the terminal one goes out after the response is saved).</summary>
    public string Record(string type, JsonObject payload)
    {
        var data = new JsonObject { ["type"] = type };
        foreach (var (key, value) in payload)
        {
            data[key] = value?.DeepClone();
        }
        data["sequence_number"] = _next;
        var json = data.ToJsonString();
        if (store)
        {
            _pending.Add(new ResponseEventEntity { ResponseId = response.Id, SequenceNumber = _next, Json = json });
        }
        _next++;
        return json;
    }

    /// <summary>Adds the kept events to the unit of work; the caller's SaveChanges writes them.</summary>
    public void Stage()
    {
        db.ResponseEvents.AddRange(_pending);
        _pending.Clear();
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

    public Task UsageAsync(int input, int output, CancellationToken cancellationToken) =>
        sse is null || _clientGone ? Task.CompletedTask : sse.UsageAsync(input, output, cancellationToken);

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        Stage();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        _lastFlush = time.GetTimestamp();
        var cancelled = await db.Responses.AsNoTracking().Where(r => r.Id == response.Id).Select(r => (bool?)r.CancelRequested)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // A response deleted while it is made (null) stops too: nobody can read what its model would go on to say.
        if (cancelled != false)
        {
            live.Cancel(response.Id);
        }
    }

    /// <summary>Stored events as SSE text (for a replay).</summary>
    public static string Frame(ResponseEventEntity stored)
    {
        var type = (string?)JsonNode.Parse(stored.Json)?["type"] ?? "message";
        return new StringBuilder("event: ").Append(type).Append("\ndata: ").Append(stored.Json).Append("\n\n").ToString();
    }
}
