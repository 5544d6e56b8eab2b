using Gateway.Auth;

namespace Gateway.Tests;

public sealed class CallerCacheTests
{
    private static readonly GatewayCaller Session = new("usr_cache", "Cass", null, null, null, null);
    private static readonly GatewayCaller Key = new("usr_cache", null, "key_cache", null, 60, 1000);

    [Fact]
    public void AnAccessTokenIsKeptUntilItExpiresAndNoLonger()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var cache = new CallerCache(clock);
        cache.RememberSession("jwt-a", "fam_a", Session, clock.GetUtcNow().AddSeconds(20));

        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.True(cache.TryGet("jwt-a", out var kept));
        Assert.Same(Session, kept);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet("jwt-a", out _));
    }

    [Fact]
    public void ALongLivedAccessTokenIsCheckedAgainAfterAMinute()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var cache = new CallerCache(clock);
        cache.RememberSession("jwt-b", "fam_b", Session, clock.GetUtcNow().AddHours(1));

        clock.Advance(CallerCache.SessionLifetime);
        Assert.False(cache.TryGet("jwt-b", out _));
    }

    [Fact]
    public void AKeyIsKeptForSecondsAndARevocationDropsItAtOnce()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var cache = new CallerCache(clock);
        cache.RememberKey("sk-one", "hash-one", Key);
        cache.RememberKey("sk-two", "hash-two", Key);
        cache.RememberKey("sk-unknown", "hash-unknown", null);

        Assert.True(cache.TryGet("sk-unknown", out var unknown));
        Assert.Null(unknown);
        cache.ForgetKey("hash-one");
        Assert.False(cache.TryGet("sk-one", out _));
        Assert.True(cache.TryGet("sk-two", out _));
        clock.Advance(CallerCache.KeyLifetime);
        Assert.False(cache.TryGet("sk-two", out _));
    }
}
