using Gateway.Limits;
using ServiceDefaults.Caching;

namespace Gateway.Tests;

/// <summary>Leases of Redis limits: several requests admitted per round trip, never more than a limit across instances.</summary>
public sealed class LeasingLimitStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ABusyCallerIsAdmittedFromOneLeaseWhileRedisCountsItWhole()
    {
        using var redis = await ConnectAsync();
        using var store = new LeasingLimitStore(new RedisLimitStore(redis), new ManualTimeProvider(Start), most: 32);
        var key = NewKey();

        var decisions = new List<LimitDecision>();
        for (var i = 0; i < 10; i++)
        {
            decisions.Add(await store.TryAcquireAsync(key, 1000, Minute, 1));
        }

        // One call took 32 copies (under an eighth of the room); the other nine requests never reached Redis.
        Assert.Equal(32, await SumInRedisAsync(redis, key));
        Assert.All(decisions, d => Assert.True(d.Allowed));
        Assert.Equal(Enumerable.Range(1, 10).Select(n => (long)n), decisions.Select(d => d.Used));
        Assert.Equal(990, decisions[^1].Remaining);
    }

    [Fact]
    public async Task ABusyCallerAsksForItsNextLeaseWhileAQuarterOfTheLastIsLeftAndUsesItWithoutWaiting()
    {
        using var redis = await ConnectAsync();
        using var store = new LeasingLimitStore(new RedisLimitStore(redis), new ManualTimeProvider(Start), most: 32);
        var key = NewKey();
        for (var i = 0; i < 23; i++)
        {
            Assert.True((await store.TryAcquireAsync(key, 1000, Minute, 1)).Allowed);
        }
        Assert.Equal(32, await SumInRedisAsync(redis, key));

        // The 24th leaves 8 of 32: the next lease is asked for at once (the sweep waits for calls under way).
        Assert.True((await store.TryAcquireAsync(key, 1000, Minute, 1)).Allowed);
        await store.SweepAsync();
        Assert.Equal(64, await SumInRedisAsync(redis, key));
        var decisions = new List<LimitDecision>();
        for (var i = 0; i < 40; i++)
        {
            var pending = store.TryAcquireAsync(key, 1000, Minute, 1);
            Assert.True(pending.IsCompleted);
            decisions.Add(await pending);
        }

        // Served from the copies held, none waiting for Redis, and counted on from where the first lease left off.
        Assert.Equal(Enumerable.Range(25, 40).Select(n => (long)n), decisions.Select(d => d.Used));
    }

    [Theory]
    [InlineData(100, 12)]
    [InlineData(15, 1)]
    public async Task ALeaseTakesAnEighthOfTheRoomAndExactlyOneCopyWhenLittleIsLeft(long limit, long copies)
    {
        using var redis = await ConnectAsync();
        using var store = new LeasingLimitStore(new RedisLimitStore(redis), new ManualTimeProvider(Start), most: 32);
        var key = NewKey();

        Assert.True((await store.TryAcquireAsync(key, limit, Minute, 1)).Allowed);

        Assert.Equal(copies, await SumInRedisAsync(redis, key));
    }

    [Fact]
    public async Task TwoInstancesSharingRedisAdmitExactlyTheLimitBetweenThem()
    {
        using var redis = await ConnectAsync();
        // The instances' clocks stand still, so no lease ends and no sweep hands copies back while the test runs.
        using var first = new LeasingLimitStore(new RedisLimitStore(redis), new ManualTimeProvider(Start), most: 32);
        using var second = new LeasingLimitStore(new RedisLimitStore(redis), new ManualTimeProvider(Start), most: 32);
        var user = NewKey();
        LimitRequest[] both = [new(user, 1000, 1), new(user + "/key:k", 300, 1)];

        // Turn about until both refuse in the same round: then neither holds a copy it could still use.
        var admitted = 0;
        for (var round = 0; round < 1000; round++)
        {
            var a = await first.TryAcquireAsync(both, Minute);
            var b = await second.TryAcquireAsync(both, Minute);
            admitted += (a.Allowed ? 1 : 0) + (b.Allowed ? 1 : 0);
            if (!a.Allowed && !b.Allowed)
            {
                Assert.Equal(1, a.Index);
                break;
            }
        }

        Assert.Equal(300, admitted);
        Assert.Equal(300, await SumInRedisAsync(redis, user));
    }

    [Fact]
    public async Task CopiesLeftWhenTheirBucketPassesGoBackToRedisWithTheNextCall()
    {
        using var redis = await ConnectAsync();
        var clock = new ManualTimeProvider(Start);
        using var store = new LeasingLimitStore(new RedisLimitStore(redis), clock, most: 32);
        var key = NewKey();
        Assert.True((await store.TryAcquireAsync(key, 1000, Minute, 1)).Allowed);

        // A minute's buckets are a second wide: two seconds on, the lease may no longer be used.
        clock.Advance(TimeSpan.FromSeconds(2));
        var next = await store.TryAcquireAsync(key, 1000, Minute, 1);

        // 31 unused copies went back and 32 new ones were taken: 2 used, 31 held.
        Assert.Equal(33, await SumInRedisAsync(redis, key));
        Assert.Equal(2, next.Used);
    }

    [Fact]
    public async Task CopiesOfACallerGoneQuietAreHandedBackByTheSweep()
    {
        using var redis = await ConnectAsync();
        var clock = new ManualTimeProvider(Start);
        using var store = new LeasingLimitStore(new RedisLimitStore(redis), clock, most: 32);
        var key = NewKey();
        Assert.True((await store.TryAcquireAsync(key, 1000, Minute, 1)).Allowed);
        await store.SweepAsync();
        Assert.Equal(32, await SumInRedisAsync(redis, key));

        clock.Advance(TimeSpan.FromSeconds(2));
        await store.SweepAsync();

        Assert.Equal(1, await SumInRedisAsync(redis, key));
    }

    [Fact]
    public async Task ALeaseSizeOfOneAsksRedisForEveryRequest()
    {
        using var redis = await ConnectAsync();
        using var store = new LeasingLimitStore(new RedisLimitStore(redis), new ManualTimeProvider(Start), most: 1);
        var key = NewKey();

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await store.TryAcquireAsync(key, 1000, Minute, 1)).Allowed);
        }

        Assert.Equal(3, await SumInRedisAsync(redis, key));
    }

    private static async Task<long> SumInRedisAsync(RedisConnection redis, string key) =>
        (long)await redis.Database.HashGetAsync(RedisLimitStore.RedisKey(key), "sum");

    private static async Task<RedisConnection> ConnectAsync() => new((await SharedServers.RedisAsync()).ConnectionString);

    private static string NewKey() => "test:" + Guid.NewGuid().ToString("N");
}
