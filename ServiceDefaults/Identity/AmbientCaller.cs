using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Identity;

/// <summary>
/// The vouched caller of the request being served, for code inside it that has no HttpContext at hand (the sibling
/// call handler, the model client). It ends with its request, as IHttpContextAccessor's context does; unlike that
/// accessor, a request without a caller costs nothing, and ASP.NET Core keeps reusing its HttpContext objects, which
/// it stops doing once an accessor is registered (a tenth of the gateway's allocations per proxied request).
/// </summary>
public static class AmbientCaller
{
    private static readonly AsyncLocal<Holder?> Current = new();

    /// <summary>The caller of the request this code runs for, or null outside a request or once it has ended.</summary>
    public static CallerIdentity? Caller => Current.Value?.Caller;

    internal static void Enter(HttpContext context, CallerIdentity caller)
    {
        var holder = new Holder(caller);
        Current.Value = holder;
        // Work the request started and that outlives it (a background run) must not act for the caller later.
        context.Response.OnCompleted(static state =>
        {
            ((Holder)state).Caller = null;
            return Task.CompletedTask;
        }, holder);
    }

    private sealed class Holder(CallerIdentity caller)
    {
        public CallerIdentity? Caller { get; set; } = caller;
    }
}
