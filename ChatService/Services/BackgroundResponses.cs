using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatService.Services;

/// <summary>
/// A background response as its create resolved it (checked, its knowledge read, its file search done), waiting for
/// the model. It lives in this process only: the response row says where it stands.
/// </summary>
public sealed record QueuedResponse(
    string ResponseId, IReadOnlyList<JsonObject> Input, TurnInput Turn, KnowledgeSnapshot Snapshot, ResponseSearch? Search, string? ConversationId);

/// <summary>
/// Background responses this process holds: waiting in its channel or being made by <see cref="BackgroundResponseWorker"/>.
/// Their leases are renewed while they are held.
/// </summary>
public sealed class BackgroundResponseQueue
{
    private readonly Channel<QueuedResponse> _waiting = Channel.CreateUnbounded<QueuedResponse>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    public void Enqueue(QueuedResponse response)
    {
        _held[response.ResponseId] = 0;
        if (!_waiting.Writer.TryWrite(response))
        {
            _held.TryRemove(response.ResponseId, out _);
            throw new InvalidOperationException("The background response queue is closed.");
        }
    }

    public IAsyncEnumerable<QueuedResponse> ReadAllAsync(CancellationToken cancellationToken) => _waiting.Reader.ReadAllAsync(cancellationToken);

    public List<string> Held() => [.. _held.Keys];

    public void Release(string responseId) => _held.TryRemove(responseId, out _);
}

/// <summary>
/// Makes background responses, each in its own scope and concurrently, through the same <see cref="ResponseRunner"/>
/// as a foreground create (events kept for replay, output and usage stored, the key's token budget spent). It renews
/// the leases of the responses this process holds (background, and foreground ones being made: <see cref="Leases"/>),
/// passes on cancels asked on other replicas, and fails any response whose lease ran out (its process died), with the
/// response.failed event a runner would write. On stop, what it was making ends failed, as does what still waited.
/// </summary>
public sealed partial class BackgroundResponseWorker(
    BackgroundResponseQueue queue, Leases leases, IServiceScopeFactory scopes, RunRegistry live, IOptions<ChatServiceOptions> options,
    ILogger<BackgroundResponseWorker> logger) : BackgroundService
{
    /// <summary>What a background response its process stopped making says (also one stopped before it was taken).</summary>
    public const string StoppedMessage = "The service stopped while the response was being made; create it again.";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var leases = KeepLeasesAsync(stoppingToken);
        // What waits for a slot stays queued: still held (its lease renewed), and a cancel still wins.
        await EachAtOnce.RunAsync(queue.ReadAllAsync(stoppingToken), waiting => MakeAsync(waiting, stoppingToken),
            options.Value.BackgroundConcurrency, stoppingToken).ConfigureAwait(false);
        await leases.ConfigureAwait(false);
        await EndAsync(queue.Held(), "failed", StoppedMessage).ConfigureAwait(false);
    }

    private async Task MakeAsync(QueuedResponse waiting, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var id = waiting.ResponseId;
        var cancel = live.Register(id, stoppingToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            // Taken only while still queued: a cancel that came first wins.
            var taken = await db.Responses.Where(r => r.Id == id && r.Status == "queued")
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, "in_progress"), stoppingToken).ConfigureAwait(false);
            if (taken == 0)
            {
                return;
            }
            var response = await db.Responses.FirstAsync(r => r.Id == id, stoppingToken).ConfigureAwait(false);
            var conversation = waiting.ConversationId is null ? null
                : await db.Conversations.FirstOrDefaultAsync(c => c.Id == waiting.ConversationId, stoppingToken).ConfigureAwait(false);
            var engine = scope.ServiceProvider.GetRequiredService<ChatEngine>();
            var turn = await engine.StartAsync(waiting.Turn, waiting.Snapshot, cancel.Token).ConfigureAwait(false);
            await using var deltas = turn.StreamAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
            await scope.ServiceProvider.GetRequiredService<ResponseRunner>().RunAsync(
                response, waiting.Input, turn, deltas, null, conversation, true, null, cancel, waiting.Search, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // Cancelled before the model was asked.
            await EndAsync([id], "cancelled", null).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, id);
            var (code, message) = stoppingToken.IsCancellationRequested ? ("server_error", StoppedMessage)
                : ResponseRunner.ErrorOf(ex, "The response could not be made.");
            await EndAsync([id], "failed", message, code).ConfigureAwait(false);
        }
        finally
        {
            live.Unregister(id);
            queue.Release(id);
        }
    }

    /// <summary>
    /// Every second: cancels what a cancel on another replica flagged or a delete removed (a model that sends nothing
    /// writes no events, whose batches would otherwise notice; a reasoning model may think for minutes). Every quarter
    /// lease also: renews what this process holds, and fails expired leases.
    /// </summary>
    private Task KeepLeasesAsync(CancellationToken stoppingToken) => leases.KeepAsync(RoundAsync, roundAtOnce: true, stoppingToken);

    private async Task RoundAsync(bool renew, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            var now = leases.Now();
            var held = queue.Held().Concat(leases.Held()).ToList();
            if (held.Count > 0)
            {
                if (renew)
                {
                    var until = leases.FromNow();
                    await db.Responses.Where(r => held.Contains(r.Id) && (r.Status == "queued" || r.Status == "in_progress"))
                        .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, until), stoppingToken).ConfigureAwait(false);
                }
                var going = await db.Responses.AsNoTracking().Where(r => held.Contains(r.Id) && !r.CancelRequested).Select(r => r.Id)
                    .ToListAsync(stoppingToken).ConfigureAwait(false);
                // Cancelled, or deleted while being made: either way nobody will read what the model goes on to say.
                held.Except(going).ToList().ForEach(id => live.Cancel(id));
            }
            if (!renew)
            {
                return;
            }
            var expired = await db.Responses.AsNoTracking()
                .Where(r => (r.Status == "queued" || r.Status == "in_progress") && (r.LeaseExpiresAt == null || r.LeaseExpiresAt < now))
                .Select(r => r.Id).ToListAsync(stoppingToken).ConfigureAwait(false);
            var failed = 0;
            foreach (var id in expired)
            {
                // Checked again under the row's lock: a holder's batch that renewed the lease meanwhile keeps it.
                failed += await ResponseEnding.EndAsync(db, id, "failed", "server_error", StoppedMessage, now, stoppingToken).ConfigureAwait(false) ? 1 : 0;
            }
            if (failed > 0)
            {
                LogExpired(logger, failed);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // A failed round must not end the loop: without renewals other replicas would fail what this one makes.
            LogLeaseFailed(logger, ex);
        }
    }

    /// <summary>Ends responses that will not be made here (failed with a server_error, or cancelled), unless they already ended.</summary>
    private async Task EndAsync(List<string> ids, string status, string? message, string code = "server_error")
    {
        foreach (var id in ids)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
                await ResponseEnding.EndAsync(db, id, status, message == null ? null : code, message, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogLeaseFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Background response {ResponseId} could not be made")]
    private static partial void LogFailed(ILogger logger, Exception exception, string responseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} responses whose process stopped were failed")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Response leases could not be kept")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception);
}
