using System.Collections.Concurrent;

namespace Gateway.Auth;

/// <summary>
/// The callers of recently checked credentials, looked up by the credential as presented, so a busy key or session
/// costs neither a hash, a database query nor a signature check per request (together a tenth of the gateway's CPU
/// per request). An API key is kept for <see cref="KeyLifetime"/> (unknown ones too, so a wrong key cannot make a
/// query per request): a revocation on this instance takes effect at once, on other instances within that time. An
/// access token is kept for <see cref="SessionLifetime"/> and never past its expiry (refused ones too, once their
/// session ended): a logout on this instance refuses it at once, on other instances within that minute. Entries live
/// only in this process's memory, as the credential itself does while its request is served.
/// </summary>
public sealed class CallerCache(TimeProvider time)
{
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(1);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>True when the credential was checked recently; <paramref name="caller"/> is null when it was refused.</summary>
    public bool TryGet(string credential, out GatewayCaller? caller)
    {
        if (_entries.TryGetValue(credential, out var entry) && entry.Expires > time.GetUtcNow())
        {
            caller = entry.Caller;
            return true;
        }
        caller = null;
        return false;
    }

    /// <summary>An API key's outcome, found by its secret's hash (null when unknown or revoked).</summary>
    public void RememberKey(string secret, string secretHash, GatewayCaller? caller) =>
        Remember(secret, new Entry(caller, time.GetUtcNow().Add(KeyLifetime), secretHash, null));

    /// <summary>An access token's caller (null: its session ended), for a minute at most and never past its expiry.</summary>
    public void RememberSession(string token, string? sessionId, GatewayCaller? caller, DateTimeOffset expires)
    {
        var until = time.GetUtcNow().Add(SessionLifetime);
        Remember(token, new Entry(caller, expires < until ? expires : until, null, sessionId));
    }

    /// <summary>Drops every access token of an ended session, so this instance refuses them from the next request.</summary>
    public void ForgetSession(string sessionId)
    {
        foreach (var (credential, entry) in _entries)
        {
            if (entry.SessionId == sessionId)
            {
                _entries.TryRemove(credential, out _);
            }
        }
    }

    /// <summary>Drops every entry of a revoked key (revocations are rare; a scan of a bounded cache is cheap).</summary>
    public void ForgetKey(string secretHash)
    {
        foreach (var (credential, entry) in _entries)
        {
            if (entry.SecretHash == secretHash)
            {
                _entries.TryRemove(credential, out _);
            }
        }
    }

    private void Remember(string credential, Entry entry)
    {
        if (_entries.Count >= MaxEntries)
        {
            // Made-up credentials could fill the cache; starting over is cheap and bounded.
            _entries.Clear();
        }
        _entries[credential] = entry;
    }

    private sealed record Entry(GatewayCaller? Caller, DateTimeOffset Expires, string? SecretHash, string? SessionId);
}
