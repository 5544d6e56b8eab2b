using ServiceDefaults.Errors;
using System.Globalization;
using Gateway.Auth;

namespace Gateway.Limits;

internal static class LimitHeaders
{
    private static readonly string[] Names = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"];

    public static void Write(HttpResponse response, LimitDecision decision)
    {
        response.Headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Reset"] = Seconds(decision.Reset).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A refusal a service made (a key's token budget, the model's own limit) is not about the request limit this
    /// request passed: its own RateLimit-* headers, or none, replace the gateway's, which would say requests remain.
    /// </summary>
    public static void YieldTo(HttpResponseMessage refusal, HttpResponse response)
    {
        foreach (var name in Names)
        {
            if (refusal.Headers.TryGetValues(name, out var own))
            {
                response.Headers[name] = own.ToArray();
            }
            else
            {
                response.Headers.Remove(name);
            }
        }
    }

    public static Task RejectAsync(HttpContext context, LimitDecision decision, string what, TimeSpan window)
    {
        Write(context.Response, decision);
        var wait = RetryAfter.Header(decision.Reset);
        context.Response.Headers.RetryAfter = wait;
        return context.WriteProblemAsync(StatusCodes.Status429TooManyRequests,
            $"{what} limit of {decision.Limit} per {Per(window)} reached; retry after {wait} s.", "rate_limit_exceeded");
    }

    private static string Per(TimeSpan window) => window switch
    {
        { TotalSeconds: 60 } => "minute",
        { TotalSeconds: var s } when s % 60 == 0 => string.Create(CultureInfo.InvariantCulture, $"{s / 60} minutes"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Seconds(window)} s"),
    };

    private static long Seconds(TimeSpan span) => (long)Math.Ceiling(Math.Max(0, span.TotalSeconds));
}
