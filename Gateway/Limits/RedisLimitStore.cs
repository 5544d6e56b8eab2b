using System.Globalization;
using ServiceDefaults.Caching;
using ServiceDefaults.Errors;
using StackExchange.Redis;

namespace Gateway.Limits;

/// <summary>
/// Sliding-window budgets in Redis, shared by every gateway instance. Each operation is one Lua script, so the check
/// and the reservation happen atomically (never read-then-write), and the clock is Redis's own, so instances with
/// drifting clocks still agree. A limit is one hash: a field per bucket (<see cref="LimitBuckets"/>), "sum" over the
/// live buckets and "floor", the oldest bucket that may still hold a cost, so pruning touches each bucket once.
/// </summary>
public sealed class RedisLimitStore(RedisConnection redis) : ILimitStore
{
    // Shared head of both scripts: Redis's clock, the current bucket, and the expired buckets taken out of the sum.
    private const string Prune = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local width = tonumber(ARGV[1])
        local span = tonumber(ARGV[2])
        local current = math.floor(now / width)
        local sum = tonumber(redis.call('HGET', KEYS[1], 'sum') or '0')
        local floor = tonumber(redis.call('HGET', KEYS[1], 'floor') or current)
        while floor < current do
          local cost = tonumber(redis.call('HGET', KEYS[1], floor) or '0')
          if floor > current - span and cost ~= 0 then break end
          sum = sum - cost
          redis.call('HDEL', KEYS[1], floor)
          floor = floor + 1
        end
        local function save()
          redis.call('HMSET', KEYS[1], 'sum', sum, 'floor', floor)
          redis.call('PEXPIRE', KEYS[1], (span + 1) * width)
        end

        """;

    private const string AcquireScript = Prune + """
        local limit = tonumber(ARGV[3])
        local cost = tonumber(ARGV[4])
        if sum + cost > limit then
          local target = limit - cost
          local reset = (current + span) * width - now
          local left = sum
          for bucket = floor, current do
            left = left - tonumber(redis.call('HGET', KEYS[1], bucket) or '0')
            if left <= target then
              reset = (bucket + span) * width - now
              break
            end
          end
          save()
          return {0, sum, reset, current}
        end
        redis.call('HINCRBY', KEYS[1], current, cost)
        sum = sum + cost
        save()
        return {1, sum, (floor + span) * width - now, current}
        """;

    private const string SettleScript = Prune + """
        local bucket = tonumber(ARGV[3])
        local difference = tonumber(ARGV[4])
        local actual = tonumber(ARGV[5])
        if bucket >= floor and bucket > current - span and redis.call('HEXISTS', KEYS[1], bucket) == 1 then
          redis.call('HINCRBY', KEYS[1], bucket, difference)
          sum = sum + difference
        elseif actual > 0 then
          redis.call('HINCRBY', KEYS[1], current, actual)
          sum = sum + actual
        end
        save()
        return sum
        """;

    public async Task<LimitDecision> TryAcquireAsync(string key, long limit, TimeSpan window, long cost)
    {
        var result = (RedisResult[])(await EvaluateAsync(AcquireScript, key, window, limit, cost).ConfigureAwait(false))!;
        return new LimitDecision(
            (long)result[0] == 1,
            limit,
            (long)result[1],
            TimeSpan.FromMilliseconds(Math.Max(0, (long)result[2])),
            (long)result[3]);
    }

    public async Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window)
    {
        try
        {
            await EvaluateAsync(SettleScript, key, window, slot, actualCost - reservedCost, actualCost).ConfigureAwait(false);
        }
        catch (ApiException)
        {
            // The answer has been served; a settlement that cannot be made leaves the whole reservation charged until
            // the window passes, which errs on the side of the budget.
        }
    }

    /// <summary>The hash of one limit; the braces are a hash tag, so a Redis Cluster keeps it on one node.</summary>
    public static string RedisKey(string key) => string.Create(CultureInfo.InvariantCulture, $"gateway:limit:{{{key}}}");

    private async Task<RedisResult> EvaluateAsync(string script, string key, TimeSpan window, params RedisValue[] arguments)
    {
        try
        {
            return await redis.Database.ScriptEvaluateAsync(script, [RedisKey(key)],
                [LimitBuckets.WidthMs(window), LimitBuckets.Span, .. arguments]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Fail closed: without the shared counts no instance can tell whether a request is within its limits.
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "Limits cannot be checked right now; try again shortly.",
                "Service unavailable", "service_unavailable");
        }
    }
}
