using System.Globalization;
using ServiceDefaults.Caching;
using ServiceDefaults.Errors;
using StackExchange.Redis;

namespace Gateway.Limits;

/// <summary>
/// Sliding-window budgets in Redis, shared by every gateway instance. Each operation is one Lua script, so the check
/// and the reservation happen atomically (never read-then-write), and the clock is Redis's own, so instances with
/// drifting clocks still agree. A window is a sorted set of "{id}|{cost}" members scored by time, plus a running sum.
/// </summary>
public sealed class RedisLimitStore(RedisConnection redis) : ILimitStore
{
    private const string AcquireScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local cutoff = now - window
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
        if #expired > 0 then
          local freed = 0
          for i = 1, #expired do freed = freed + tonumber(string.match(expired[i], '|(%-?%d+)$')) end
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
          redis.call('DECRBY', KEYS[2], freed)
        end
        local used = tonumber(redis.call('GET', KEYS[2]) or '0')
        if used + cost > limit then
          local target = limit - cost
          local remaining = used
          local reset = window
          local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
          for i = 1, #entries, 2 do
            remaining = remaining - tonumber(string.match(entries[i], '|(%-?%d+)$'))
            if remaining <= target then
              reset = tonumber(entries[i + 1]) + window - now
              break
            end
          end
          return {0, used, reset}
        end
        redis.call('ZADD', KEYS[1], now, ARGV[4] .. '|' .. ARGV[3])
        redis.call('INCRBY', KEYS[2], cost)
        redis.call('PEXPIRE', KEYS[1], window + 1000)
        redis.call('PEXPIRE', KEYS[2], window + 1000)
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {1, used + cost, tonumber(oldest[2]) + window - now}
        """;

    private const string SettleScript = """
        local old = ARGV[1] .. '|' .. ARGV[2]
        local score = redis.call('ZSCORE', KEYS[1], old)
        if not score then return 0 end
        redis.call('ZREM', KEYS[1], old)
        local actual = tonumber(ARGV[3])
        if actual > 0 then redis.call('ZADD', KEYS[1], score, ARGV[1] .. '|' .. ARGV[3]) end
        redis.call('INCRBY', KEYS[2], actual - tonumber(ARGV[2]))
        return 1
        """;

    public async Task<LimitDecision> TryAcquireAsync(string key, long limit, TimeSpan window, long cost, string reservationId)
    {
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(AcquireScript, Keys(key),
                [limit, (long)window.TotalMilliseconds, cost, reservationId]).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Fail closed: without the shared counts no instance can tell whether a request is within its limits.
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "Limits cannot be checked right now; try again shortly.",
                "Service unavailable", "service_unavailable");
        }
        return new LimitDecision(
            (long)result[0] == 1,
            limit,
            (long)result[1],
            TimeSpan.FromMilliseconds(Math.Max(0, (long)result[2])));
    }

    public async Task SettleAsync(string key, string reservationId, long reservedCost, long actualCost, TimeSpan window)
    {
        try
        {
            await redis.Database.ScriptEvaluateAsync(SettleScript, Keys(key), [reservationId, reservedCost, actualCost]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The answer has been served; a settlement that cannot be made leaves the whole reservation charged until
            // the window passes, which errs on the side of the budget.
        }
    }

    public Task ReleaseAsync(string key, string reservationId, long reservedCost) =>
        SettleAsync(key, reservationId, reservedCost, 0, TimeSpan.Zero);

    // One hash tag per window, so a Redis Cluster keeps both keys of a script on one node.
    private static RedisKey[] Keys(string key) =>
        [string.Create(CultureInfo.InvariantCulture, $"gateway:limit:{{{key}}}:z"), string.Create(CultureInfo.InvariantCulture, $"gateway:limit:{{{key}}}:sum")];
}
