using Gateway.Auth;
using Microsoft.Extensions.Options;

namespace Gateway.Limits;

/// <summary>
/// Request-rate limits: per IP for anonymous requests, per user, and per API key (its rpm). Answers 429 with
/// Retry-After; every limited answer carries RateLimit-Limit/-Remaining/-Reset of the tightest limit that applied.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, ILimitStore store, IOptions<LimitOptions> options, IProblemDetailsService problems)
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
                await LimitHeaders.RejectAsync(context, problems, tightest, "Anonymous request").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            LimitDecision? keyDecision = null;
            if (caller is { KeyId: { } keyId, Rpm: { } rpm })
            {
                keyDecision = await store.TryAcquireAsync("rpm:" + keyId, rpm, limits.Window, 1).ConfigureAwait(false);
                if (!keyDecision.Allowed)
                {
                    await LimitHeaders.RejectAsync(context, problems, keyDecision, "API key request").ConfigureAwait(false);
                    return;
                }
            }
            var userDecision = await store.TryAcquireAsync("user:" + caller.UserId, limits.UserRpm, limits.Window, 1).ConfigureAwait(false);
            if (!userDecision.Allowed)
            {
                if (keyDecision is not null)
                {
                    // The key's slot goes back: this request is not served.
                    await store.SettleAsync("rpm:" + caller.KeyId, keyDecision.Slot, 1, 0, limits.Window).ConfigureAwait(false);
                }
                await LimitHeaders.RejectAsync(context, problems, userDecision, "User request").ConfigureAwait(false);
                return;
            }
            tightest = keyDecision is not null && keyDecision.Remaining <= userDecision.Remaining ? keyDecision : userDecision;
        }

        LimitHeaders.Write(context.Response, tightest);
        await next(context).ConfigureAwait(false);
    }

    private static bool IsUnlimited(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/alive")
        || path.StartsWithSegments("/docs") || path.StartsWithSegments("/openapi");
}
