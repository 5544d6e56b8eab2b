using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ChatService.Services;

/// <summary>
/// The leases a process holds responses and runs under while it makes them: a queued or in_progress one whose lease ran
/// out was left by a process that stopped, and any replica ends it (<see cref="BackgroundResponseWorker"/> for
/// responses, <see cref="RunLeaseKeeper"/> for runs). Foreground responses being made here are held in this set; the
/// worker renews their leases with the background ones it holds. Runs are held while <see cref="RunRegistry"/> has them.
/// </summary>
public sealed class Leases(TimeProvider time, IOptions<ChatServiceOptions> options)
{
    /// <summary>How soon a cancel asked on another replica reaches what this process makes while its model is silent.</summary>
    private static readonly TimeSpan CancelPoll = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    /// <summary>Now, in the unix seconds leases are kept in.</summary>
    public long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The lease a response or run held from now runs until (unix seconds).</summary>
    public long FromNow() => Now() + (long)Math.Ceiling(options.Value.BackgroundLease.TotalSeconds);

    /// <summary>
    /// A keeper's rounds until the service stops: every second (for cancels asked on other replicas; a silent model
    /// writes nothing that would notice them), and every quarter lease with <c>renew</c> set (renew what this process
    /// holds, end what ran out). Timed from a round's start: time passing while one runs counts towards the next.
    /// </summary>
    public async Task KeepAsync(Func<bool, CancellationToken, Task> round, bool roundAtOnce, CancellationToken stoppingToken)
    {
        var renewEvery = options.Value.BackgroundLease / 4;
        using var timer = new PeriodicTimer(renewEvery < CancelPoll ? renewEvery : CancelPoll, time);
        long? renewed = roundAtOnce ? null : time.GetTimestamp();
        try
        {
            if (!roundAtOnce && !await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                return;
            }
            do
            {
                var started = time.GetTimestamp();
                var renew = renewed is not { } last || time.GetElapsedTime(last, started) >= renewEvery;
                await round(renew, stoppingToken).ConfigureAwait(false);
                renewed = renew ? started : renewed;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public void Hold(string responseId) => _held[responseId] = 0;

    public void Release(string responseId) => _held.TryRemove(responseId, out _);

    public List<string> Held() => [.. _held.Keys];
}
