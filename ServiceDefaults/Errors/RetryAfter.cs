using System.Globalization;

namespace ServiceDefaults.Errors;

/// <summary>The one way a refusal tells a client when to come back.</summary>
public static class RetryAfter
{
    /// <summary>
    /// The longest Retry-After we send. OpenAI's SDKs wait as asked only below a minute (Node below 60 s, Python up to
    /// 60 s); a longer hint makes them retry at once on their own short backoff, spend their retries on refusals and
    /// give up. Rate windows here are strict, so room may free up to 61 s after a burst: a client that comes back
    /// after 59 s meets at most two seconds more, and that refusal says so.
    /// </summary>
    public const int MaxSeconds = 59;

    public static string Header(TimeSpan wait) =>
        Math.Clamp((long)Math.Ceiling(wait.TotalSeconds), 1, MaxSeconds).ToString(CultureInfo.InvariantCulture);
}
