using System.Runtime.CompilerServices;
using Gateway.Auth;
using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;

namespace Gateway.Proxy;

/// <summary>
/// The caller token a proxied request carries to its service. Signing one (JSON, HMAC, base64) on every request is a
/// visible share of the gateway's CPU, and a caller is one object for as long as <see cref="CallerCache"/> keeps its
/// credential (an API key or an access token), so that object's token is reused while at least half its lifetime is left.
/// </summary>
public sealed class CallerTokens(CallerTokenCodec codec, IOptions<IdentityOptions> options, TimeProvider time)
{
    private readonly ConditionalWeakTable<GatewayCaller, Issued> _issued = new();

    public string For(GatewayCaller caller)
    {
        var now = time.GetUtcNow();
        if (_issued.TryGetValue(caller, out var issued) && issued.FreshUntil > now)
        {
            return issued.Token;
        }
        var token = codec.Issue(caller.ToIdentity());
        _issued.AddOrUpdate(caller, new Issued(token, now + options.Value.TokenLifetime / 2));
        return token;
    }

    private sealed record Issued(string Token, DateTimeOffset FreshUntil);
}
