using StackExchange.Redis;

namespace ServiceDefaults.Caching;

public sealed class RedisKeyValueStore(RedisConnection redis) : IKeyValueStore
{
    // INCRBY and the first EXPIRE in one step, so a crash between them cannot leave a counter that never expires.
    private const string IncrementScript = """
        local v = redis.call('INCRBY', KEYS[1], ARGV[1])
        if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return v
        """;

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var value = await redis.Database.StringGetAsync(key).ConfigureAwait(false);
        return value.IsNull ? null : (string?)value;
    }

    public Task SetAsync(string key, string value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) =>
        timeToLive is { } ttl ? redis.Database.StringSetAsync(key, value, ttl) : redis.Database.StringSetAsync(key, value);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        redis.Database.KeyDeleteAsync(key);

    public async Task<long> IncrementAsync(string key, long by = 1, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var ttlMs = (long)(timeToLive?.TotalMilliseconds ?? 0);
        var result = await redis.Database.ScriptEvaluateAsync(IncrementScript, [key], [by, ttlMs]).ConfigureAwait(false);
        return (long)result;
    }
}
