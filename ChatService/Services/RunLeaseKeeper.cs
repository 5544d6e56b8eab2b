using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Data;

namespace ChatService.Services;

/// <summary>
/// The runs' side of <see cref="Leases"/>, so that several chat-service replicas share one database safely. Every
/// second it passes on cancels asked on other replicas: a cancel sets the run cancelling wherever it lands, and only
/// the process executing the run can stop its model call. Every quarter lease it renews the leases of the runs this
/// process executes and takes the runs whose lease ran out (their process stopped): a queued one is executed here, one
/// in progress ends failed (its model call died with its process), one being cancelled ends cancelled, each with the
/// answer and steps it was writing. A replica that starts ends only those, never the runs another replica executes.
/// </summary>
public sealed partial class RunLeaseKeeper(
    RunRegistry live, RunQueue queue, Leases leases, IServiceScopeFactory scopes, ILogger<RunLeaseKeeper> logger)
{
    /// <summary>What a run says when its process stopped under it (chat-service's shutdown, or a process that died).</summary>
    public const string StoppedMessage = "The service stopped while the run was in progress; start a new run.";

    /// <summary>
    /// On start: takes the runs whose lease ran out at once, and ends answers left in progress under runs that
    /// already ended (rows a process that died, or an older version, left).
    /// </summary>
    public async Task RecoverAsync(CancellationToken stoppingToken)
    {
        await RoundAsync(true, stoppingToken).ConfigureAwait(false);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await EndPartsAsync(scope.ServiceProvider.GetRequiredService<ChatDbContext>(), null, Ids.Now(), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogRoundFailed(logger, ex);
        }
    }

    /// <summary>Rounds until the service stops (the first, on start, is <see cref="RecoverAsync"/>).</summary>
    public Task KeepAsync(CancellationToken stoppingToken) => leases.KeepAsync(RoundAsync, roundAtOnce: false, stoppingToken);

    private async Task RoundAsync(bool renew, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
            // The registry also holds responses being made; their ids never match a run.
            var held = live.Held().Where(id => id.StartsWith("run_", StringComparison.Ordinal)).ToList();
            if (held.Count > 0)
            {
                if (renew)
                {
                    var until = leases.FromNow();
                    await db.Runs.Where(r => held.Contains(r.Id) && (r.Status == "queued" || r.Status == "in_progress" || r.Status == "cancelling"))
                        .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, until), stoppingToken).ConfigureAwait(false);
                }
                var states = await db.Runs.AsNoTracking().Where(r => held.Contains(r.Id)).Select(r => new { r.Id, r.Status })
                    .ToListAsync(stoppingToken).ConfigureAwait(false);
                // A run is registered only once its row was read, so one whose row is gone was deleted with its thread:
                // its model call stops rather than answer into a thread no one can read.
                var gone = held.Except(states.Select(s => s.Id), StringComparer.Ordinal);
                foreach (var id in states.Where(s => s.Status == "cancelling").Select(s => s.Id).Concat(gone))
                {
                    live.Cancel(id);
                }
            }
            if (renew)
            {
                await TakeExpiredAsync(db, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // A failed round must not end the loop: without renewals other replicas would end what this one executes.
            LogRoundFailed(logger, ex);
        }
    }

    private async Task TakeExpiredAsync(ChatDbContext db, CancellationToken stoppingToken)
    {
        var now = leases.Now();
        var expired = await db.Runs.AsNoTracking()
            .Where(r => (r.Status == "queued" || r.Status == "in_progress" || r.Status == "cancelling") && (r.LeaseExpiresAt == null || r.LeaseExpiresAt < now))
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.Status }).ToListAsync(stoppingToken).ConfigureAwait(false);
        var ended = new List<string>();
        foreach (var run in expired)
        {
            // Each is taken only while its lease is still run out: a holder that renewed it meanwhile keeps it.
            var still = db.Runs.Where(r => r.Id == run.Id && r.Status == run.Status && (r.LeaseExpiresAt == null || r.LeaseExpiresAt < now));
            var at = Ids.Now();
            var taken = run.Status switch
            {
                "queued" => await still.ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, leases.FromNow()), stoppingToken).ConfigureAwait(false),
                "in_progress" => await still.ExecuteUpdateAsync(u => u
                    .SetProperty(r => r.Status, "failed")
                    .SetProperty(r => r.FailedAt, at)
                    .SetProperty(r => r.LastErrorCode, "server_error")
                    .SetProperty(r => r.LastErrorMessage, StoppedMessage)
                    .SetProperty(r => r.LeaseExpiresAt, (long?)null), stoppingToken).ConfigureAwait(false),
                _ => await still.ExecuteUpdateAsync(u => u
                    .SetProperty(r => r.Status, "cancelled")
                    .SetProperty(r => r.CancelledAt, at)
                    .SetProperty(r => r.LeaseExpiresAt, (long?)null), stoppingToken).ConfigureAwait(false),
            };
            if (taken == 0)
            {
                continue;
            }
            if (run.Status == "queued")
            {
                // The budget of the key that asked went with its process: it answers unbudgeted.
                queue.Enqueue(run.Id);
            }
            else
            {
                ended.Add(run.Id);
            }
        }
        if (ended.Count > 0)
        {
            await EndPartsAsync(db, ended, Ids.Now(), stoppingToken).ConfigureAwait(false);
            LogEnded(logger, ended.Count);
        }
    }

    /// <summary>
    /// An answer a failed or cancelled run was writing ends with it, as its executor ends it (incomplete, its step
    /// failed or cancelled): one left in progress would read as still being written forever. Null: every run's.
    /// </summary>
    private static async Task EndPartsAsync(ChatDbContext db, List<string>? runIds, long now, CancellationToken stoppingToken)
    {
        var messages = db.Messages.Where(m => m.Status == "in_progress");
        var steps = db.RunSteps.Where(s => s.Status == "in_progress");
        if (runIds is not null)
        {
            messages = messages.Where(m => runIds.Contains(m.RunId!));
            steps = steps.Where(s => runIds.Contains(s.RunId));
        }
        foreach (var (ended, reason) in new[] { ("failed", "run_failed"), ("cancelled", "run_cancelled") })
        {
            await messages.Where(m => db.Runs.Any(r => r.Id == m.RunId && r.Status == ended))
                .ExecuteUpdateAsync(u => u
                    .SetProperty(m => m.Status, "incomplete")
                    .SetProperty(m => m.IncompleteReason, reason)
                    .SetProperty(m => m.IncompleteAt, now), stoppingToken).ConfigureAwait(false);
        }
        await steps.Where(s => db.Runs.Any(r => r.Id == s.RunId && r.Status == "failed"))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, "failed").SetProperty(s => s.FailedAt, now), stoppingToken).ConfigureAwait(false);
        await steps.Where(s => db.Runs.Any(r => r.Id == s.RunId && r.Status == "cancelled"))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, "cancelled").SetProperty(s => s.CancelledAt, now), stoppingToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} runs whose process stopped were ended")]
    private static partial void LogEnded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run leases could not be kept")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
