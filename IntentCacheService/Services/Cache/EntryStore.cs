using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServiceDefaults.Caching;
using StackExchange.Redis;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// Reads and writes cache entries under the assistant's current generation. On Redis each is one Lua script, so the
/// generation and the entry are read (or the entry written) in one round trip and atomically: no invalidation can
/// fall between reading the generation and using it. Without Redis, the in-process store does the same in two steps.
/// </summary>
public sealed class EntryStore(IKeyValueStore store, IServiceProvider services)
{
    // KEYS[1] = generation key; ARGV[1], ARGV[2] = the entry key before and after the generation.
    private const string GetScript = """
        local g = redis.call('GET', KEYS[1]) or '0'
        return redis.call('GET', ARGV[1] .. g .. ARGV[2])
        """;

    private const string SetScript = """
        local g = redis.call('GET', KEYS[1]) or '0'
        redis.call('SET', ARGV[1] .. g .. ARGV[2], ARGV[3], 'PX', ARGV[4])
        return g
        """;

    private static readonly byte[] GetHash = SHA1.HashData(Encoding.UTF8.GetBytes(GetScript));
    private static readonly byte[] SetHash = SHA1.HashData(Encoding.UTF8.GetBytes(SetScript));

    private readonly RedisConnection? _redis = services.GetService<RedisConnection>();

    public async Task<string?> GetAsync(EntryAddress address, CancellationToken cancellationToken = default)
    {
        if (_redis is null)
        {
            return await store.GetAsync(address.KeyFor(await GenerationAsync(address, cancellationToken).ConfigureAwait(false)), cancellationToken)
                .ConfigureAwait(false);
        }
        var result = await EvaluateAsync(GetScript, GetHash, address.GenerationKey, [address.Head, address.Tail]).ConfigureAwait(false);
        return result.IsNull ? null : (string?)result;
    }

    public async Task SetAsync(EntryAddress address, string value, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        if (_redis is null)
        {
            var key = address.KeyFor(await GenerationAsync(address, cancellationToken).ConfigureAwait(false));
            await store.SetAsync(key, value, timeToLive, cancellationToken).ConfigureAwait(false);
            return;
        }
        await EvaluateAsync(
            SetScript, SetHash, address.GenerationKey,
            [address.Head, address.Tail, value, (long)timeToLive.TotalMilliseconds]).ConfigureAwait(false);
    }

    /// <summary>The entry's key under the current generation (for a compare-then-delete that is allowed two steps).</summary>
    public async Task<string> CurrentKeyAsync(EntryAddress address, CancellationToken cancellationToken = default) =>
        address.KeyFor(await GenerationAsync(address, cancellationToken).ConfigureAwait(false));

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

/// <summary>Where an entry lives: its generation key, and its key around the generation number.</summary>
public sealed record EntryAddress(string GenerationKey, string Head, string Tail)
{
    public string KeyFor(long generation) => Head + generation.ToString(CultureInfo.InvariantCulture) + Tail;
}
