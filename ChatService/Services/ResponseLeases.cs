using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ChatService.Services;

/// <summary>
/// The lease a process holds a response under while it makes it (foreground or background): a queued or in_progress
/// response whose lease ran out was left by a process that stopped, and any replica's
/// <see cref="BackgroundResponseWorker"/> fails it. Foreground responses being made here are held in this set; the
/// worker renews their leases with the background ones it holds.
/// </summary>
public sealed class ResponseLeases(TimeProvider time, IOptions<ChatServiceOptions> options)
{
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    /// <summary>Now, in the unix seconds leases are kept in.</summary>
    public long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The lease a response held from now runs until (unix seconds).</summary>
    public long FromNow() => Now() + (long)Math.Ceiling(options.Value.BackgroundLease.TotalSeconds);

    public void Hold(string responseId) => _held[responseId] = 0;

    public void Release(string responseId) => _held.TryRemove(responseId, out _);

    public List<string> Held() => [.. _held.Keys];
}
