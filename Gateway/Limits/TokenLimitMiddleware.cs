using Gateway.Auth;
using Gateway.Proxy;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Gateway.Limits;

/// <summary>
/// Token budgets (tpm) of API keys on the routes whose metadata says "TokenLimit": "true". Before forwarding it
/// reserves an upper estimate (the request's size in tokens, about 4 bytes each, plus the completion cap it asks
/// for or <see cref="LimitOptions.DefaultCompletionReserve"/>); when the answer ends it settles the reservation to
/// the usage the chat service reported, or releases it when the request failed. Reservations are atomic, so any
/// number of concurrent streams together never hold more than the budget.
/// </summary>
public sealed class TokenLimitMiddleware(RequestDelegate next, ILimitStore store, IOptions<LimitOptions> options)
{
    public const string UsageHeader = "X-Usage-Tokens";
    public const string MetadataKey = "TokenLimit";

    /// <summary>Requests without a token budget go on without an await of their own.</summary>
    public Task InvokeAsync(HttpContext context) =>
        context.GetGatewayCaller() is { Tpm: { } tpm, KeyId: { } keyId } && IsTokenLimited(context)
            ? LimitAsync(context, tpm, keyId)
            : next(context);

    private async Task LimitAsync(HttpContext context, int tpm, string keyId)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        var reserved = Estimate(body, options.Value.DefaultCompletionReserve);
        var key = "tpm:" + keyId;
        var window = options.Value.Window;
        var decision = await store.TryAcquireAsync(key, tpm, window, reserved).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            await LimitHeaders.RejectAsync(context, decision, "Token").ConfigureAwait(false);
            return;
        }

        var original = context.Response.Body;
        var scanner = new UsageScanningStream(original);
        context.Response.Body = scanner;
        long? used = null;
        var failed = true;
        try
        {
            await next(context).ConfigureAwait(false);
            used = scanner.TotalTokens ?? UsageScanningStream.ParseHeader(context.Response.Headers[UsageHeader]);
            failed = context.Response.StatusCode >= 400;
        }
        finally
        {
            context.Response.Body = original;
            if (used is { } actual)
            {
                await store.SettleAsync(key, decision.Slot, reserved, actual, window).ConfigureAwait(false);
            }
            else if (failed)
            {
                await store.SettleAsync(key, decision.Slot, reserved, 0, window).ConfigureAwait(false);
            }
            // A success that reported nothing keeps its whole reservation: charging the estimate is the safe side.
        }
    }

    /// <summary>
    /// Saturates rather than overflows: a max_tokens near long.MaxValue must not wrap into a negative reservation
    /// (which would hand the key room instead of taking it). Far above any budget, it is simply refused.
    /// </summary>
    public static long Estimate(RequestBody body, int defaultCompletion) =>
        (body.Length + 3) / 4 + Math.Min(body.MaxTokens ?? defaultCompletion, MaxCompletionEstimate);

    private const long MaxCompletionEstimate = 1L << 40;

    private static bool IsTokenLimited(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata is { } metadata
        && metadata.TryGetValue(MetadataKey, out var value)
        && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
