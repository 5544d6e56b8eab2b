using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServiceDefaults.Caching;
using StackExchange.Redis;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// Reads and writes cache entries under the assistant's current generation. On Redis each is one Lua script, so the
/// generation and the entry are read (or the entry written) in one round trip and atomically: no invalidation can
/// fall between reading the generation and using it. A <see cref="NearCache"/> in front saves the round trip for hot
/// answers. Without Redis, the in-process store does the same in two steps and needs no near cache.
/// </summary>
public sealed class EntryStore(IKeyValueStore store, Announcer announcer, NearCache near, IServiceProvider services)
{
    public const string FlushedChannel = "intent-cache-flushed";
    public const string EvictedChannel = "intent-cache-evicted";

    // KEYS[1] = generation key; ARGV[1], ARGV[2] = the entry key before and after the generation.
    private const string GetScript = """
        local g = redis.call('GET', KEYS[1]) or '0'
        return {g, redis.call('GET', ARGV[1] .. g .. ARGV[2])}
        """;

    private const string SetScript = """
        local g = redis.call('GET', KEYS[1]) or '0'
        redis.call('SET', ARGV[1] .. g .. ARGV[2], ARGV[3], 'PX', ARGV[4])
        return g
        """;

    private static readonly byte[] GetHash = SHA1.HashData(Encoding.UTF8.GetBytes(GetScript));
    private static readonly byte[] SetHash = SHA1.HashData(Encoding.UTF8.GetBytes(SetScript));

    private readonly RedisConnection? _redis = services.GetService<RedisConnection>();

    private bool UseNear => _redis is not null && near.Enabled;

    public async Task<string?> GetAsync(EntryAddress address, CancellationToken cancellationToken = default)
    {
        if (_redis is null)
        {
            return await store.GetAsync(address.KeyFor(await GenerationAsync(address, cancellationToken).ConfigureAwait(false)), cancellationToken)
                .ConfigureAwait(false);
        }
        if (UseNear && near.TryGetGeneration(address.AssistantId, out var known))
        {
            var key = address.KeyFor(known);
            if (near.TryGetEntry(key, out var held))
            {
                return held;
            }
            var value = await _redis.Database.StringGetAsync(key).ConfigureAwait(false);
            if (!value.IsNull)
            {
                near.SetEntry(key, value!);
            }
            return value.IsNull ? null : (string?)value;
        }

        var epoch = near.Epoch(address.AssistantId);
        var result = (RedisResult[])(await EvaluateAsync(GetScript, GetHash, address.GenerationKey, [address.Head, address.Tail]).ConfigureAwait(false))!;
        var generation = long.Parse((string)result[0]!, CultureInfo.InvariantCulture);
        var json = result.Length > 1 && !result[1].IsNull ? (string?)result[1] : null;
        if (UseNear)
        {
            near.SetGeneration(address.AssistantId, generation, epoch);
            if (json is not null)
            {
                near.SetEntry(address.KeyFor(generation), json);
            }
        }
        return json;
    }

    public async Task SetAsync(EntryAddress address, string value, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        if (_redis is null)
        {
            var key = address.KeyFor(await GenerationAsync(address, cancellationToken).ConfigureAwait(false));
            await store.SetAsync(key, value, timeToLive, cancellationToken).ConfigureAwait(false);
            return;
        }
        var generation = await EvaluateAsync(
            SetScript, SetHash, address.GenerationKey,
            [address.Head, address.Tail, value, (long)timeToLive.TotalMilliseconds]).ConfigureAwait(false);
        near.DropEntry(address.KeyFor(long.Parse((string)generation!, CultureInfo.InvariantCulture)));
    }

    /// <summary>Deletes the entry now under <paramref name="address"/> when <paramref name="shouldDelete"/> agrees, everywhere.</summary>
    public async Task<bool> DeleteIfAsync(EntryAddress address, Func<string, bool> shouldDelete, CancellationToken cancellationToken = default)
    {
        var key = address.KeyFor(await GenerationAsync(address, cancellationToken).ConfigureAwait(false));
        var json = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (json is null || !shouldDelete(json))
        {
            return false;
        }
        var deleted = await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        near.DropEntry(key);
        if (UseNear)
        {
            await announcer.TellOthersAsync(EvictedChannel, key, cancellationToken).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>
    /// Drops every entry of an assistant (one atomic INCR of its generation). <paramref name="tellOthers"/> is false
    /// when every instance is reacting to the same platform event anyway.
    /// </summary>
    public async Task InvalidateAsync(string assistantId, bool tellOthers, CancellationToken cancellationToken = default)
    {
        await store.IncrementAsync(CacheKeys.Generation(assistantId), 1, null, cancellationToken).ConfigureAwait(false);
        near.DropAssistant(assistantId);
        if (tellOthers && UseNear)
        {
            await announcer.TellOthersAsync(FlushedChannel, assistantId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Invalidates, then deletes the entries themselves (on Redis, by a SCAN of the assistant's keys) so nothing of a
    /// deleted assistant waits for its TTL. The generation stays a while, with an expiry: the platform's own
    /// "assistant-changed" event, still on its way, INCRs it once more (which keeps the expiry rather than making a
    /// key that lives forever). The in-process store only keeps unreachable entries until their TTL.
    /// </summary>
    public async Task PurgeAsync(string assistantId, CancellationToken cancellationToken = default)
    {
        await InvalidateAsync(assistantId, tellOthers: true, cancellationToken).ConfigureAwait(false);
        if (_redis is null)
        {
            return;
        }
        var generation = (RedisKey)CacheKeys.Generation(assistantId);
        var pattern = CacheKeys.EntryPrefix(assistantId)[..^1] + "*";
        foreach (var server in _redis.Multiplexer.GetServers().Where(s => !s.IsReplica))
        {
            var keys = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 500).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (key != generation)
                {
                    keys.Add(key);
                }
            }
            if (keys.Count > 0)
            {
                await _redis.Database.KeyDeleteAsync([.. keys]).ConfigureAwait(false);
            }
        }
        await _redis.Database.KeyExpireAsync(generation, GenerationAfterPurge).ConfigureAwait(false);
        near.DropAssistant(assistantId);
    }

    /// <summary>Long enough for the deletion's own events to arrive, short enough that nothing lingers.</summary>
    public static readonly TimeSpan GenerationAfterPurge = TimeSpan.FromMinutes(1);

    private async Task<long> GenerationAsync(EntryAddress address, CancellationToken cancellationToken)
    {
        var value = await store.GetAsync(address.GenerationKey, cancellationToken).ConfigureAwait(false);
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var g) ? g : 0;
    }

    // EVALSHA first (the script body is not sent on every call); EVAL loads it when Redis does not know it yet.
    private async Task<RedisResult> EvaluateAsync(string script, byte[] hash, string key, RedisValue[] values)
    {
        var db = _redis!.Database;
        try
        {
            return await db.ScriptEvaluateAsync(hash, [key], values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(script, [key], values).ConfigureAwait(false);
        }
    }
}

/// <summary>Where an entry lives: its assistant, its generation key, and its key around the generation number.</summary>
public sealed record EntryAddress(string AssistantId, string GenerationKey, string Head, string Tail)
{
    public string KeyFor(long generation) => Head + generation.ToString(CultureInfo.InvariantCulture) + Tail;
}
