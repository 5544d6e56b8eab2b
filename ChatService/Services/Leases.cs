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
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    /// <summary>Now, in the unix seconds leases are kept in.</summary>
    public long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The lease a response or run held from now runs until (unix seconds).</summary>
    public long FromNow() => Now() + (long)Math.Ceiling(options.Value.BackgroundLease.TotalSeconds);

    public void Hold(string responseId) => _held[responseId] = 0;

    public void Release(string responseId) => _held.TryRemove(responseId, out _);

    public List<string> Held() => [.. _held.Keys];
}
