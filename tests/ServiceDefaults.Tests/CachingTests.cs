using ServiceDefaults.Caching;

namespace ServiceDefaults.Tests;

public sealed class CachingTests
{
    [Fact]
    public async Task RedisStoreRoundTripsValuesAndExpiresThemOnARealServer()
    {
        var redis = await SharedServers.RedisAsync();
        using var connection = new RedisConnection(redis.ConnectionString);
        var store = new RedisKeyValueStore(connection);
        var key = "rt:" + Guid.NewGuid();

        await store.SetAsync(key, "hello", TimeSpan.FromMilliseconds(300));
        var before = await store.GetAsync(key);
        await Task.Delay(700);
        var after = await store.GetAsync(key);

        Assert.Equal("hello", before);
        Assert.Null(after);
    }

    [Fact]
    public async Task RedisIncrementIsAtomicUnderConcurrencyAndSetsTheExpiryOnce()
    {
        var redis = await SharedServers.RedisAsync();
        using var connection = new RedisConnection(redis.ConnectionString);
        var store = new RedisKeyValueStore(connection);
        var key = "counter:" + Guid.NewGuid();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => store.IncrementAsync(key, 1, TimeSpan.FromSeconds(30))));
        var ttl = await connection.Database.KeyTimeToLiveAsync(key);

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Order());
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RedisPubSubDeliversToSubscribersUntilTheyUnsubscribe()
    {
        var redis = await SharedServers.RedisAsync();
        using var connection = new RedisConnection(redis.ConnectionString);
        var bus = new RedisMessageBus(connection);
        var channel = "events:" + Guid.NewGuid();
        var received = new List<string>();
        var first = new TaskCompletionSource();

        var subscription = await bus.SubscribeAsync(channel, message =>
        {
            lock (received)
            {
                received.Add(message);
            }
            first.TrySetResult();
            return Task.CompletedTask;
        });
        await bus.PublishAsync(channel, "one");
        await first.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await subscription.DisposeAsync();
        await bus.PublishAsync(channel, "two");
        await Task.Delay(300);

        lock (received)
        {
            Assert.Equal(["one"], received);
        }
    }

    [Fact]
    public async Task MemoryStoreExpiresEntriesAndCountsAtomically()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var store = new MemoryKeyValueStore(time);

        await store.SetAsync("k", "v", TimeSpan.FromSeconds(5));
        var counts = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => store.IncrementAsync("c", 2, TimeSpan.FromSeconds(5))));
        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(200, counts.Max());
        Assert.Null(await store.GetAsync("k"));
        Assert.Equal(2, await store.IncrementAsync("c", 2));
    }

    [Fact]
    public async Task MemoryBusDeliversInProcessUntilUnsubscribed()
    {
        var bus = new MemoryMessageBus();
        var received = new List<string>();
        var subscription = await bus.SubscribeAsync("ch", m => { received.Add(m); return Task.CompletedTask; });

        await bus.PublishAsync("ch", "a");
        await subscription.DisposeAsync();
        await bus.PublishAsync("ch", "b");

        Assert.Equal(["a"], received);
    }
}
