using ServiceDefaults.Errors;
using System.Globalization;
using Gateway.Auth;

namespace Gateway.Limits;

internal static class LimitHeaders
{
    public static void Write(HttpResponse response, LimitDecision decision)
    {
        response.Headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Reset"] = Seconds(decision.Reset).ToString(CultureInfo.InvariantCulture);
    }

    public static Task RejectAsync(HttpContext context, LimitDecision decision, string what)
    {
        Write(context.Response, decision);
        context.Response.Headers.RetryAfter = RetryAfter.Header(decision.Reset);
        return context.WriteProblemAsync(StatusCodes.Status429TooManyRequests,
            $"{what} limit of {decision.Limit} per window reached; retry after the Retry-After seconds.", "rate_limit_exceeded");
    }

    private static long Seconds(TimeSpan span) => (long)Math.Ceiling(Math.Max(0, span.TotalSeconds));
}
