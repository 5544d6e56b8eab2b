using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServiceDefaults.Caching;
using ServiceDefaults.Errors;
using StackExchange.Redis;

namespace Gateway.Limits;

/// <summary>
/// Sliding-window budgets in Redis, shared by every gateway instance. Each operation is one Lua script, so the checks
/// and the reservations happen atomically (never read-then-write), and the clock is Redis's own, so instances with
/// drifting clocks still agree. A limit is one hash: a field per bucket (<see cref="LimitBuckets"/>), "sum" over the
/// live buckets and "floor", the oldest bucket that may still hold a cost, so pruning touches each bucket once.
/// </summary>
public sealed class RedisLimitStore(RedisConnection redis) : ILimitStore
{
    // Shared head of both scripts: Redis's clock, the current bucket, and a prune that takes a limit's aged-out
    // buckets out of its sum. ARGV[1] is the bucket width in ms, ARGV[2] the live bucket count.
    private const string Head = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local width = tonumber(ARGV[1])
        local span = tonumber(ARGV[2])
        local current = math.floor(now / width)
        local function prune(key)
          local state = redis.call('HMGET', key, 'sum', 'floor', 'width')
          local sum = tonumber(state[1] or '0')
          local floor = tonumber(state[2] or current)
          -- Buckets of another width (the window setting changed), from the future (Redis's clock stepped back) or
          -- too far behind to walk mean nothing here: the limit starts over rather than lock out or stall Redis.
          if tonumber(state[3] or width) ~= width or floor > current or current - floor > 2 * span then
            redis.call('DEL', key)
            return 0, current, true
          end
          while floor < current do
            local cost = tonumber(redis.call('HGET', key, floor) or '0')
            if floor > current - span and cost ~= 0 then break end
            sum = sum - cost
            redis.call('HDEL', key, floor)
            floor = floor + 1
          end
          return sum, floor, not state[1]
        end
        -- The hash outlives its newest bucket's cost, so its expiry moves only when a bucket is added (or the hash is
        -- new): one command per limit fewer on nearly every request.
        local function save(key, sum, floor, grown)
          redis.call('HMSET', key, 'sum', sum, 'floor', floor, 'width', width)
          if grown then redis.call('PEXPIRE', key, (span + 1) * width) end
        end
        local function add(key, bucket, cost)
          return redis.call('HINCRBY', key, bucket, cost) == cost
        end

        """;

    // KEYS: the limits; ARGV[3..]: limit and cost of each, then the lease: the most copies of the costs to take, the
    // share of the room a lease may take (1/share), and a slot and count of copies an earlier lease hands back.
    // Returns {allowed, index, used, reset ms, slot, copies taken, ms left in the slot}.
    private static readonly Script AcquireScript = new(Head + """
        local n = #KEYS
        local most, share = tonumber(ARGV[3 + 2 * n]), tonumber(ARGV[4 + 2 * n])
        local back, backCopies = tonumber(ARGV[5 + 2 * n]), tonumber(ARGV[6 + 2 * n])
        local left = (current + 1) * width - now
        local sums, floors, fresh = {}, {}, {}
        for i = 1, n do
          sums[i], floors[i], fresh[i] = prune(KEYS[i])
          -- An unused lease comes back to the bucket it was taken in, while that bucket still counts.
          if backCopies > 0 and back >= floors[i] and back > current - span then
            local give = math.min(tonumber(redis.call('HGET', KEYS[i], back) or '0'), backCopies * tonumber(ARGV[2 + 2 * i]))
            if give > 0 then
              redis.call('HINCRBY', KEYS[i], back, -give)
              sums[i] = sums[i] - give
            end
          end
        end
        -- Of the limits that refuse, the one that frees up last: its reset is when the request could pass.
        local worst, worstReset
        for i = 1, n do
          local limit, cost = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
          if sums[i] + cost > limit then
            local reset = (current + span) * width - now
            local rest = sums[i]
            for bucket = floors[i], current do
              rest = rest - tonumber(redis.call('HGET', KEYS[i], bucket) or '0')
              if rest <= limit - cost then
                reset = (bucket + span) * width - now
                break
              end
            end
            if worst == nil or reset > worstReset then worst, worstReset = i, reset end
          end
        end
        if worst ~= nil then
          for j = 1, n do save(KEYS[j], sums[j], floors[j], fresh[j]) end
          return {0, worst - 1, sums[worst], worstReset, current, 0, left}
        end
        -- A lease takes a share of the room of every limit, at least the one copy asked for: exactly one when little
        -- is left, so the last units of a limit go one request at a time to whichever instance asks.
        local copies = most
        for i = 1, n do
          local cost = tonumber(ARGV[2 + 2 * i])
          if cost > 0 then
            copies = math.min(copies, math.floor((tonumber(ARGV[1 + 2 * i]) - sums[i]) / cost / share))
          end
        end
        copies = math.max(1, copies)
        local best, room, reset
        for i = 1, n do
          local limit, cost = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i]) * copies
          local grown = add(KEYS[i], current, cost)
          sums[i] = sums[i] + cost
          save(KEYS[i], sums[i], floors[i], grown or fresh[i])
          if best == nil or limit - sums[i] < room then
            best, room, reset = i, limit - sums[i], (floors[i] + span) * width - now
          end
        end
        return {1, best - 1, sums[best], reset, current, copies, left}
        """);

    // KEYS[1]: the limit; ARGV[3..5]: the slot, the difference to apply there, the real usage.
    private static readonly Script SettleScript = new(Head + """
        local sum, floor, grown = prune(KEYS[1])
        local bucket, difference, actual = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        if bucket >= floor and bucket > current - span and redis.call('HEXISTS', KEYS[1], bucket) == 1 then
          redis.call('HINCRBY', KEYS[1], bucket, difference)
          sum = sum + difference
        elseif actual > 0 then
          grown = add(KEYS[1], current, actual) or grown
          sum = sum + actual
        end
        save(KEYS[1], sum, floor, grown)
        return sum
        """);

    public async ValueTask<LimitDecision> TryAcquireAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window) =>
        (await TryLeaseAsync(limits, window, 1, 1, default).ConfigureAwait(false)).Decision;

    /// <summary>
    /// Takes up to <paramref name="most"/> copies of the costs at once (at most 1/<paramref name="share"/> of the room
    /// left, at least one), after handing back what an earlier lease did not use. The decision counts every copy taken.
    /// </summary>
    public async Task<LimitLease> TryLeaseAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window, int most, int share, LeftOver handBack)
    {
        var keys = new RedisKey[limits.Count];
        var arguments = new RedisValue[6 + 2 * limits.Count];
        arguments[0] = LimitBuckets.WidthMs(window);
        arguments[1] = LimitBuckets.Span;
        for (var i = 0; i < limits.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(limits[i].Cost);
            keys[i] = RedisKey(limits[i].Key);
            arguments[2 + 2 * i] = limits[i].Limit;
            arguments[3 + 2 * i] = limits[i].Cost;
        }
        arguments[2 + 2 * limits.Count] = most;
        arguments[3 + 2 * limits.Count] = share;
        arguments[4 + 2 * limits.Count] = handBack.Slot;
        arguments[5 + 2 * limits.Count] = handBack.Copies;
        var result = (RedisResult[])(await EvaluateAsync(AcquireScript, keys, arguments).ConfigureAwait(false))!;
        var index = (int)result[1];
        var decision = new LimitDecision(
            (long)result[0] == 1,
            limits[index].Limit,
            (long)result[2],
            TimeSpan.FromMilliseconds(Math.Max(0, (long)result[3])),
            (long)result[4],
            index);
        return new LimitLease(decision, (int)result[5], TimeSpan.FromMilliseconds((long)result[6]));
    }

    public async Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window)
    {
        try
        {
            await EvaluateAsync(SettleScript, [RedisKey(key)],
                [LimitBuckets.WidthMs(window), LimitBuckets.Span, slot, actualCost - reservedCost, actualCost]).ConfigureAwait(false);
        }
        catch (ApiException)
        {
            // The answer has been served; a settlement that cannot be made leaves the whole reservation charged until
            // the window passes, which errs on the side of the budget.
        }
    }

    /// <summary>
    /// The hash of one limit. The braces are a hash tag around the key's part before any '/', so limits asked for
    /// together ("user:u", "user:u/key:k") land on one Redis Cluster node, as a multi-key script needs.
    /// </summary>
    public static string RedisKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? string.Create(CultureInfo.InvariantCulture, $"gateway:limit:{{{key}}}")
            : string.Create(CultureInfo.InvariantCulture, $"gateway:limit:{{{key[..slash]}}}{key[slash..]}");
    }

    private async Task<RedisResult> EvaluateAsync(Script script, RedisKey[] keys, RedisValue[] arguments)
    {
        try
        {
            try
            {
                return await redis.Database.ScriptEvaluateAsync(script.Hash, keys, arguments).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // A restarted or flushed Redis has forgotten the script: EVAL runs it and loads it again.
                return await redis.Database.ScriptEvaluateAsync(script.Text, keys, arguments).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Fail closed: without the shared counts no instance can tell whether a request is within its limits.
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "Limits cannot be checked right now; try again shortly.",
                "Service unavailable", "service_unavailable");
        }
    }

    /// <summary>
    /// A script run by its SHA1 (EVALSHA). Given the text, the client would look its hash up by the whole text, hashing
    /// some 3 KB of characters on every request.
    /// </summary>
    private sealed class Script(string text)
    {
        public string Text { get; } = text;

        public byte[] Hash { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }
}
