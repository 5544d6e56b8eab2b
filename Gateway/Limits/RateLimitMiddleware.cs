using Gateway.Auth;
using Microsoft.Extensions.Options;

namespace Gateway.Limits;

/// <summary>
/// Request-rate limits: per IP for anonymous requests, per user, and per API key (its rpm). Answers 429 with
/// Retry-After; every limited answer carries RateLimit-Limit/-Remaining/-Reset of the tightest limit that applied.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, ILimitStore store, IOptions<LimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (IsUnlimited(context.Request.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var limits = options.Value;
        LimitDecision tightest;
        if (context.GetGatewayCaller() is not { } caller)
        {
            var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            tightest = await store.TryAcquireAsync("ip:" + ip, limits.AnonymousPerIpPerMinute, limits.Window, 1).ConfigureAwait(false);
            if (!tightest.Allowed)
            {
                await LimitHeaders.RejectAsync(context, tightest, "Anonymous request").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            // One atomic call for the user's limit and the key's: a request the user's limit refuses takes nothing
            // from the key, and with Redis it costs one round trip, not two.
            var userKey = "user:" + caller.UserId;
            LimitRequest[] requests = caller is { KeyId: { } keyId, Rpm: { } rpm }
                ? [new(userKey, limits.UserRpm, 1), new($"{userKey}/key:{keyId}", rpm, 1)]
                : [new(userKey, limits.UserRpm, 1)];
            tightest = await store.TryAcquireAsync(requests, limits.Window).ConfigureAwait(false);
            if (!tightest.Allowed)
            {
                await LimitHeaders.RejectAsync(context, tightest, tightest.Index == 0 ? "User request" : "API key request")
                    .ConfigureAwait(false);
                return;
            }
        }

        LimitHeaders.Write(context.Response, tightest);
        await next(context).ConfigureAwait(false);
    }

    private static bool IsUnlimited(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/alive")
        || path.StartsWithSegments("/docs") || path.StartsWithSegments("/openapi");
}
