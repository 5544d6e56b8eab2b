using System.Runtime.CompilerServices;
using Gateway.Auth;
using Microsoft.Extensions.Options;

namespace Gateway.Limits;

/// <summary>
/// Request-rate limits: per IP for anonymous requests and account routes, per user, and per API key (its rpm). Answers
/// 429 with Retry-After; every limited answer carries RateLimit-Limit/-Remaining/-Reset of the tightest limit that applied.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, ILimitStore store, IOptions<LimitOptions> options)
{
    private readonly ConditionalWeakTable<GatewayCaller, LimitRequest[]> _requests = new();

    /// <summary>The in-memory store answers at once, and then the request goes on without an await of its own.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (IsUnlimited(context.Request.Path))
        {
            return next(context);
        }

        var limits = options.Value;
        // Account routes count against the address whatever credential comes with them: an attacker's own token must
        // not lift the brute-force limit on logins and registrations to the user limit.
        var caller = IsAccountRoute(context.Request.Path) ? null : context.GetGatewayCaller();
        // A caller's limits are asked for in one atomic call (the user's and the key's): a request the user's limit
        // refuses takes nothing from the key, and with Redis it costs one round trip, not two.
        var decision = caller is null
            ? AcquireAnonymous(context, store, limits)
            : store.TryAcquireAsync(RequestsOf(caller, limits.UserRpm), limits.Window);
        return decision.IsCompletedSuccessfully
            ? Continue(context, caller, decision.Result)
            : ContinueAsync(context, caller, decision);
    }

    private async Task ContinueAsync(HttpContext context, GatewayCaller? caller, ValueTask<LimitDecision> decision) =>
        await Continue(context, caller, await decision.ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>Every limited answer carries the tightest limit's headers; a refusal names the limit that refused.</summary>
    private Task Continue(HttpContext context, GatewayCaller? caller, LimitDecision decision)
    {
        if (!decision.Allowed)
        {
            return LimitHeaders.RejectAsync(context, decision,
                caller is null ? "Anonymous request" : decision.Index == 0 ? "User request" : "API key request", options.Value.Window);
        }
        LimitHeaders.Write(context.Response, decision);
        return next(context);
    }

    /// <summary>
    /// A cached caller (the same object for as long as its credential is cached) keeps its limit list, so a busy
    /// caller's request builds no keys.
    /// </summary>
    private LimitRequest[] RequestsOf(GatewayCaller caller, int userRpm)
    {
        if (_requests.TryGetValue(caller, out var known))
        {
            return known;
        }
        var userKey = "user:" + caller.UserId;
        LimitRequest[] requests = caller is { KeyId: { } keyId, Rpm: { } rpm }
            ? [new(userKey, userRpm, 1), new($"{userKey}/key:{keyId}", rpm, 1)]
            : [new(userKey, userRpm, 1)];
        _requests.AddOrUpdate(caller, requests);
        return requests;
    }

    /// <summary>
    /// A request that counts as anonymous (no credential, a refused one, or an account route) takes room from its
    /// address: per IPv4 address, and per /64 for IPv6, where a client holds a whole prefix to rotate through.
    /// </summary>
    internal static ValueTask<LimitDecision> AcquireAnonymous(HttpContext context, ILimitStore store, LimitOptions limits) =>
        store.TryAcquireAsync("ip:" + AddressKey(context.Connection.RemoteIpAddress), limits.AnonymousPerIpPerMinute, limits.Window, 1);

    private static string AddressKey(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new System.Net.IPAddress(bytes).ToString() + "/64";
    }

    private static readonly string[] AccountRoutes = ["/login", "/register", "/refresh", "/logout"];

    /// <summary>Routing takes "/auth/login/" and "/AUTH/Login" for /auth/login, so this does too.</summary>
    private static bool IsAccountRoute(PathString path) =>
        path.StartsWithSegments("/auth", StringComparison.OrdinalIgnoreCase, out var rest)
        && rest.Value?.TrimEnd('/') is { Length: > 0 } name
        && AccountRoutes.Contains(name, StringComparer.OrdinalIgnoreCase);

    private static bool IsUnlimited(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/alive")
        || path.StartsWithSegments("/docs") || path.StartsWithSegments("/openapi");
}
