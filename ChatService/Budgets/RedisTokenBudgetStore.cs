using ServiceDefaults.Caching;
using ServiceDefaults.Errors;
using StackExchange.Redis;

namespace ChatService.Budgets;

/// <summary>
/// Budgets in Redis, shared by every chat-service replica. A budget is one hash with a field per bucket; each
/// operation is one Lua script on Redis's own clock, so replicas with drifting clocks still agree and no
/// read-then-write race can let two reservations through where one fits.
/// </summary>
public sealed class RedisTokenBudgetStore(RedisConnection redis, TimeSpan window) : ITokenBudgetStore
{
    // ARGV[1] bucket width in ms, ARGV[2] buckets per window. Prunes dead buckets and sums the live ones.
    private const string Head = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local width, span = tonumber(ARGV[1]), tonumber(ARGV[2])
        local current = math.floor(now / width)
        local fields = redis.call('HGETALL', KEYS[1])
        local used, oldest = 0, current
        for i = 1, #fields, 2 do
          local bucket = tonumber(fields[i])
          if bucket > current - span and bucket <= current then
            used = used + tonumber(fields[i + 1])
            if bucket < oldest then oldest = bucket end
          else
            redis.call('HDEL', KEYS[1], fields[i])
          end
        end

        """;

    // ARGV[3..6]: limit, prompt, most output, least output. Returns {allowed, reserved, output, bucket, used, retry ms}.
    private const string ReserveScript = Head + """
        local limit, prompt, most, least = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
        local output = math.min(most, limit - used - prompt)
        if output < least then
          return {0, 0, 0, current, used, (oldest + span) * width - now}
        end
        redis.call('HINCRBY', KEYS[1], current, prompt + output)
        redis.call('PEXPIRE', KEYS[1], (span + 1) * width)
        return {1, prompt + output, output, current, used + prompt + output, 0}
        """;

    // ARGV[3..5]: the reservation's bucket, its size, the real usage.
    private const string SettleScript = Head + """
        local bucket, reserved, actual = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        if redis.call('HEXISTS', KEYS[1], bucket) == 1 then
          redis.call('HINCRBY', KEYS[1], bucket, actual - reserved)
        elseif actual > 0 then
          redis.call('HINCRBY', KEYS[1], current, actual)
        end
        redis.call('PEXPIRE', KEYS[1], (span + 1) * width)
        return 1
        """;

    private readonly long _widthMs = BudgetWindow.WidthMs(window);

    public async Task<BudgetGrant> ReserveAsync(string key, long limit, long prompt, long maxOutput, long minOutput)
    {
        var result = (RedisResult[])(await EvaluateAsync(ReserveScript, key,
            [_widthMs, BudgetWindow.Buckets, limit, prompt, maxOutput, minOutput]).ConfigureAwait(false))!;
        return new BudgetGrant((long)result[0] == 1, (long)result[1], (long)result[2], (long)result[3], (long)result[4], limit,
            TimeSpan.FromMilliseconds(Math.Max(0, (long)result[5])));
    }

    public Task SettleAsync(string key, BudgetGrant grant, long actual) =>
        EvaluateAsync(SettleScript, key, [_widthMs, BudgetWindow.Buckets, grant.Bucket, grant.Reserved, actual]);

    private async Task<RedisResult> EvaluateAsync(string script, string key, RedisValue[] arguments)
    {
        try
        {
            return await redis.Database.ScriptEvaluateAsync(script, [new RedisKey("chat-service:tpm:" + key)], arguments).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Fail closed, as the gateway's request limits do: without the shared count no replica can keep the budget.
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "Token budgets cannot be checked right now; try again shortly.",
                "Service unavailable", "service_unavailable");
        }
    }
}
