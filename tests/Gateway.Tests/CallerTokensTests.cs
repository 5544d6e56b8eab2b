using Gateway.Auth;
using Gateway.Proxy;
using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;

namespace Gateway.Tests;

public sealed class CallerTokensTests
{
    private static readonly IdentityOptions Identity = new()
    {
        SigningKey = TestIdentity.SigningKey,
        TokenLifetime = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public void AnApiKeysCallerKeepsItsTokenForHalfItsLifetimeThenGetsAFreshOneAServiceAccepts()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var codec = new CallerTokenCodec(Options.Create(Identity), clock);
        var tokens = new CallerTokens(codec, Options.Create(Identity), clock);
        var caller = new GatewayCaller("usr_tokens", "Tess", "key_1", ["asst_a"], 60, 1000);

        var first = tokens.For(caller);
        clock.Advance(TimeSpan.FromSeconds(29));
        var reused = tokens.For(caller);
        clock.Advance(TimeSpan.FromSeconds(2));
        var fresh = tokens.For(caller);

        Assert.Equal(first, reused);
        Assert.NotEqual(first, fresh);
        Assert.True(codec.TryRead(fresh, out var identity, out _));
        Assert.Equal(("usr_tokens", "key_1"), (identity!.UserId, identity.KeyId));
        Assert.Equal(["asst_a"], identity.Assistants!);
    }

    [Fact]
    public void TwoCallersNeverShareAToken()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var codec = new CallerTokenCodec(Options.Create(Identity), clock);
        var tokens = new CallerTokens(codec, Options.Create(Identity), clock);

        var alice = tokens.For(new GatewayCaller("usr_alice", null, "key_a", null, null, null));
        var bob = tokens.For(new GatewayCaller("usr_bob", null, "key_b", null, null, null));

        Assert.True(codec.TryRead(alice, out var a, out _));
        Assert.True(codec.TryRead(bob, out var b, out _));
        Assert.Equal(("usr_alice", "usr_bob"), (a!.UserId, b!.UserId));
    }
}
