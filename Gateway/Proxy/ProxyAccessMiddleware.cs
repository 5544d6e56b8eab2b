using ServiceDefaults.Errors;
using Gateway.Auth;

namespace Gateway.Proxy;

/// <summary>
/// Every proxied route needs a caller; an API key may only name the assistants it is scoped to, in the path, the
/// query or the JSON body (services check the vouched identity too; this stops the request at the door).
/// </summary>
public sealed class ProxyAccessMiddleware(RequestDelegate next)
{
    /// <summary>What the services behind the gateway answer; YARP cannot forward CONNECT, and TRACE echoes headers.</summary>
    private static readonly string[] ForwardedMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>A caller with no assistant scope goes on without an await of its own (nothing to read in the body).</summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (!ForwardedMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            context.Response.Headers.Allow = string.Join(", ", ForwardedMethods);
            return context.WriteProblemAsync(StatusCodes.Status405MethodNotAllowed,
                "This method is not supported on this route.", "method_not_allowed");
        }
        if (context.GetGatewayCaller() is not { } caller)
        {
            return context.WriteProblemAsync(StatusCodes.Status401Unauthorized,
                "Send an access token or API key as Authorization: Bearer, or an API key as X-API-Key.", "invalid_api_key");
        }
        return caller.Assistants is null ? next(context) : CheckScopeAsync(context, caller);
    }

    private async Task CheckScopeAsync(HttpContext context, GatewayCaller caller)
    {
        if (caller.Assistants is { Count: 0 })
        {
            // Its assistants were all deleted: a key that reaches nothing must not store files or spend compute either.
            await context.WriteProblemAsync(StatusCodes.Status403Forbidden,
                "This API key's assistants were all deleted, so it may no longer be used; create a new key.", "assistant_not_allowed").ConfigureAwait(false);
            return;
        }
        if (await NamedAssistantOutsideScopeAsync(context, caller).ConfigureAwait(false) is { } refused)
        {
            await context.WriteProblemAsync(StatusCodes.Status403Forbidden,
                $"This API key may not use assistant '{refused}'.", "assistant_not_allowed").ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    private static async Task<string?> NamedAssistantOutsideScopeAsync(HttpContext context, GatewayCaller caller)
    {
        foreach (var segment in context.Request.Path.Value!.Split('/'))
        {
            if (IsAssistantId(segment) && !caller.CanUseAssistant(segment))
            {
                return segment;
            }
        }
        foreach (var value in context.Request.Query["assistant_id"])
        {
            if (value is not null && !caller.CanUseAssistant(value))
            {
                return value;
            }
        }
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.AssistantId is { } assistantId && !caller.CanUseAssistant(assistantId))
        {
            return assistantId;
        }
        return body.Model is { } model && IsAssistantId(model) && !caller.CanUseAssistant(model) ? model : null;
    }

    private static bool IsAssistantId(string value) => value.StartsWith("asst_", StringComparison.Ordinal);
}
