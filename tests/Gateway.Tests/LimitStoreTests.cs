using Gateway.Limits;
using ServiceDefaults.Caching;

namespace Gateway.Tests;

/// <summary>The window arithmetic of both limit stores: in memory on a hand-moved clock, in a real redis-server on its own.</summary>
public sealed class LimitStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task AFullWindowRefusesUntilItsOldestCostHasAgedOutAndNotBefore()
    {
        var clock = new ManualTimeProvider(Start);
        var store = new MemoryLimitStore(clock);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await store.TryAcquireAsync("k", 3, Minute, 1)).Allowed);
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        var refused = await store.TryAcquireAsync("k", 3, Minute, 1);
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Remaining);
        // The first cost went in at 0 s and is held for a window plus one bucket (1 s): free at 61 s, 31 s from now.
        Assert.Equal(TimeSpan.FromSeconds(31), refused.Reset);

        clock.Advance(TimeSpan.FromSeconds(30.5));
        Assert.False((await store.TryAcquireAsync("k", 3, Minute, 1)).Allowed);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        var admitted = await store.TryAcquireAsync("k", 3, Minute, 1);
        Assert.True(admitted.Allowed);
        Assert.Equal(3, admitted.Used);
    }

    [Fact]
    public async Task NoSpanOfAWindowEverAdmitsMoreThanTheLimit()
    {
        var clock = new ManualTimeProvider(Start);
        var store = new MemoryLimitStore(clock);
        var admitted = new List<DateTimeOffset>();
        // A request every 250 ms for three windows against a limit of 100 per minute.
        for (var i = 0; i < 720; i++)
        {
            if ((await store.TryAcquireAsync("k", 100, Minute, 1)).Allowed)
            {
                admitted.Add(clock.GetUtcNow());
            }
            clock.Advance(TimeSpan.FromMilliseconds(250));
        }

        Assert.InRange(admitted.Count, 250, 300);
        foreach (var at in admitted)
        {
            Assert.InRange(admitted.Count(a => a >= at && a < at + Minute), 1, 100);
        }
    }

    [Fact]
    public async Task SettlingMovesAReservationToWhatWasUsedAndSettlingToZeroFreesIt()
    {
        var store = new MemoryLimitStore(new ManualTimeProvider(Start));
        var first = await store.TryAcquireAsync("k", 100, Minute, 60);
        var second = await store.TryAcquireAsync("k", 100, Minute, 40);
        Assert.False((await store.TryAcquireAsync("k", 100, Minute, 1)).Allowed);

        await store.SettleAsync("k", first.Slot, 60, 10, Minute);
        Assert.True((await store.TryAcquireAsync("k", 100, Minute, 50)).Allowed);
        await store.SettleAsync("k", second.Slot, 40, 0, Minute);

        var after = await store.TryAcquireAsync("k", 100, Minute, 40);
        Assert.True(after.Allowed);
        Assert.Equal(100, after.Used);
    }

    [Fact]
    public async Task UsageSettledAfterItsWindowPassedIsChargedToTheCurrentWindow()
    {
        var clock = new ManualTimeProvider(Start);
        var store = new MemoryLimitStore(clock);
        var stream = await store.TryAcquireAsync("k", 100, Minute, 50);
        clock.Advance(TimeSpan.FromMinutes(2));

        await store.SettleAsync("k", stream.Slot, 50, 30, Minute);

        Assert.False((await store.TryAcquireAsync("k", 100, Minute, 80)).Allowed);
        Assert.Equal(100, (await store.TryAcquireAsync("k", 100, Minute, 70)).Used);
    }

    [Fact]
    public async Task RedisFreesAFullWindowOnceItHasAgedOut()
    {
        using var redis = await ConnectAsync();
        var store = new RedisLimitStore(redis);
        var key = NewKey();
        // Redis keeps its own clock, so the window is real time: long enough that a slow machine's pause between
        // two calls does not let it pass by accident.
        var window = TimeSpan.FromSeconds(3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await store.TryAcquireAsync(key, 3, window, 1)).Allowed);
        }

        var refused = await store.TryAcquireAsync(key, 3, window, 1);
        Assert.False(refused.Allowed);
        // A 3 s window is held in buckets of 50 ms, for at most 61 of them.
        Assert.InRange(refused.Reset, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3050));

        await Task.Delay(refused.Reset + TimeSpan.FromMilliseconds(50));
        var admitted = await store.TryAcquireAsync(key, 3, window, 1);
        Assert.True(admitted.Allowed);
        Assert.InRange(admitted.Used, 1, 3);
    }

    [Fact]
    public async Task RedisSettlesInTheWindowAndChargesLateUsageToTheCurrentOne()
    {
        using var redis = await ConnectAsync();
        var store = new RedisLimitStore(redis);
        var key = NewKey();
        var first = await store.TryAcquireAsync(key, 100, Minute, 60);
        var second = await store.TryAcquireAsync(key, 100, Minute, 40);
        Assert.False((await store.TryAcquireAsync(key, 100, Minute, 1)).Allowed);
        await store.SettleAsync(key, first.Slot, 60, 10, Minute);
        await store.SettleAsync(key, second.Slot, 40, 0, Minute);
        Assert.Equal(90, (await store.TryAcquireAsync(key, 100, Minute, 80)).Used);

        var lateKey = NewKey();
        var window = TimeSpan.FromSeconds(3);
        var stream = await store.TryAcquireAsync(lateKey, 100, window, 50);
        await Task.Delay(TimeSpan.FromMilliseconds(3200));
        await store.SettleAsync(lateKey, stream.Slot, 50, 30, window);
        Assert.False((await store.TryAcquireAsync(lateKey, 100, window, 80)).Allowed);
        Assert.Equal(100, (await store.TryAcquireAsync(lateKey, 100, window, 70)).Used);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("redis")]
    public async Task LimitsAskedTogetherAdmitAllOrNoneAndReportTheOneThatMatters(string kind)
    {
        using var redis = kind == "redis" ? await ConnectAsync() : null;
        ILimitStore store = redis is null ? new MemoryLimitStore(new ManualTimeProvider(Start)) : new RedisLimitStore(redis);
        var user = NewKey();
        LimitRequest[] both = [new(user, 5, 1), new(user + "/key:k", 2, 1)];

        var first = await store.TryAcquireAsync(both, Minute);
        var second = await store.TryAcquireAsync(both, Minute);
        var third = await store.TryAcquireAsync(both, Minute);
        var userAlone = await store.TryAcquireAsync([new LimitRequest(user, 5, 1)], Minute);

        // Admitted: the key's limit is the tighter one. Refused: by the key, and the user's count was not touched.
        Assert.Equal((true, 1, 2L, 1L), (first.Allowed, first.Index, first.Limit, first.Remaining));
        Assert.Equal((true, 1, 0L), (second.Allowed, second.Index, second.Remaining));
        Assert.Equal((false, 1, 2L), (third.Allowed, third.Index, third.Limit));
        Assert.Equal((true, 3L), (userAlone.Allowed, userAlone.Used));
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("redis")]
    public async Task ChangingTheWindowSettingStartsALimitOverInsteadOfStallingOrLockingOut(string kind)
    {
        using var redis = kind == "redis" ? await ConnectAsync() : null;
        ILimitStore store = redis is null ? new MemoryLimitStore(new ManualTimeProvider(Start)) : new RedisLimitStore(redis);
        var key = NewKey();
        Assert.True((await store.TryAcquireAsync(key, 1, Minute, 1)).Allowed);
        Assert.False((await store.TryAcquireAsync(key, 1, Minute, 1)).Allowed);

        // A shorter window has many more buckets since the epoch: a walk from the old floor would never end.
        var shorter = await store.TryAcquireAsync(key, 1, TimeSpan.FromSeconds(30), 1);
        var longer = await store.TryAcquireAsync(key, 1, TimeSpan.FromMinutes(2), 1);
        var again = await store.TryAcquireAsync(key, 1, TimeSpan.FromMinutes(2), 1);

        Assert.Equal((true, 1L), (shorter.Allowed, shorter.Used));
        Assert.Equal((true, 1L), (longer.Allowed, longer.Used));
        Assert.False(again.Allowed);
    }

    [Fact]
    public async Task WindowsOfKeysGoneQuietAreDroppedOnceTheirCostsHaveAgedOut()
    {
        var clock = new ManualTimeProvider(Start);
        var store = new MemoryLimitStore(clock);
        foreach (var ip in new[] { "ip:10.0.0.1", "ip:10.0.0.2", "ip:10.0.0.3" })
        {
            Assert.True((await store.TryAcquireAsync(ip, 5, Minute, 1)).Allowed);
        }
        clock.Advance(MemoryLimitStore.SweepInterval);
        Assert.True((await store.TryAcquireAsync("ip:10.0.0.1", 5, Minute, 1)).Allowed);
        Assert.Equal(3, store.WindowCount);   // their costs still count: nothing is dropped

        clock.Advance(Minute * 2);
        Assert.True((await store.TryAcquireAsync("ip:10.0.0.4", 5, Minute, 1)).Allowed);

        Assert.Equal(1, store.WindowCount);
    }

    [Fact]
    public async Task AClockThatStepsBackDoesNotLeaveCountsBehindForGood()
    {
        var clock = new ManualTimeProvider(Start);
        var store = new MemoryLimitStore(clock);
        Assert.True((await store.TryAcquireAsync("k", 2, Minute, 1)).Allowed);
        Assert.True((await store.TryAcquireAsync("k", 2, Minute, 1)).Allowed);

        clock.Advance(TimeSpan.FromMinutes(-10));
        Assert.True((await store.TryAcquireAsync("k", 2, Minute, 1)).Allowed);
        clock.Advance(TimeSpan.FromMinutes(20));

        // Every earlier cost has aged out or been dropped: exactly the limit fits again.
        Assert.Equal(1, (await store.TryAcquireAsync("k", 2, Minute, 1)).Used);
        Assert.True((await store.TryAcquireAsync("k", 2, Minute, 1)).Allowed);
        Assert.False((await store.TryAcquireAsync("k", 2, Minute, 1)).Allowed);
    }

    [Fact]
    public async Task RedisThatHasForgottenTheScriptsStillCountsEveryRequest()
    {
        using var redis = await ConnectAsync();
        var store = new RedisLimitStore(redis);
        var key = NewKey();
        Assert.True((await store.TryAcquireAsync(key, 2, Minute, 1)).Allowed);

        // As after a restart: the scripts run by their hash are gone from Redis's cache.
        using (var admin = new RedisConnection((await SharedServers.RedisAsync()).ConnectionString + ",allowAdmin=true"))
        {
            await admin.Multiplexer.GetServers()[0].ScriptFlushAsync();
        }

        var second = await store.TryAcquireAsync(key, 2, Minute, 1);
        Assert.True(second.Allowed);
        Assert.Equal(2, second.Used);
        Assert.False((await store.TryAcquireAsync(key, 2, Minute, 1)).Allowed);
    }

    [Fact]
    public async Task EveryLimitRedisKeepsExpiresOnceItsLastCostHasAgedOut()
    {
        using var redis = await ConnectAsync();
        var store = new RedisLimitStore(redis);
        var admitted = NewKey();
        var refused = NewKey();
        Assert.True((await store.TryAcquireAsync(admitted, 10, Minute, 1)).Allowed);
        Assert.True((await store.TryAcquireAsync(admitted, 10, Minute, 1)).Allowed);
        Assert.False((await store.TryAcquireAsync(refused, 1, Minute, 2)).Allowed);

        // 61 buckets of a second, and one more: the hash lives as long as the costs it holds, never for ever.
        foreach (var key in new[] { admitted, refused })
        {
            var ttl = await redis.Database.KeyTimeToLiveAsync(RedisLimitStore.RedisKey(key));
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, Minute, TimeSpan.FromSeconds(62));
        }
    }

    [Fact]
    public void LimitsOfOneUserShareARedisClusterHashTag()
    {
        Assert.Equal("gateway:limit:{user:u1}", RedisLimitStore.RedisKey("user:u1"));
        Assert.Equal("gateway:limit:{user:u1}/key:k1", RedisLimitStore.RedisKey("user:u1/key:k1"));
    }

    private static async Task<RedisConnection> ConnectAsync() => new((await SharedServers.RedisAsync()).ConnectionString);

    private static string NewKey() => "test:" + Guid.NewGuid().ToString("N");
}
