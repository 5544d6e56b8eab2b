using Microsoft.Extensions.Options;
using ServiceDefaults.Caching;

namespace ServiceDefaults.Tests;

public sealed class RealServersTests
{
    [Fact]
    public async Task RedisStoreRoundTripsValuesWithTimeToLiveOnARealServer()
    {
        var redis = await SharedServers.RedisAsync();
        using var connection = new RedisConnection(redis.ConnectionString);
        var store = new RedisKeyValueStore(connection);
        var key = "rt:" + Guid.NewGuid();

        await store.SetAsync(key, "hello", TimeSpan.FromMilliseconds(300));
        var before = await store.GetAsync(key);
        await Task.Delay(600);
        var after = await store.GetAsync(key);

        Assert.Equal("hello", before);
        Assert.Null(after);
    }
}
