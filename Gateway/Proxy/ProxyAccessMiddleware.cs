using Gateway.Auth;

namespace Gateway.Proxy;

/// <summary>
/// Every proxied route needs a caller; an API key may only name the assistants it is scoped to, in the path, the
/// query or the JSON body (services check the vouched identity too; this stops the request at the door).
/// </summary>
public sealed class ProxyAccessMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetGatewayCaller() is not { } caller)
        {
            await GatewayAuthenticationMiddleware.WriteProblemAsync(context, problems, StatusCodes.Status401Unauthorized,
                "Send an access token or API key as Authorization: Bearer, or an API key as X-API-Key.", "invalid_api_key").ConfigureAwait(false);
            return;
        }

        if (caller.Assistants is not null && await NamedAssistantOutsideScopeAsync(context, caller).ConfigureAwait(false) is { } refused)
        {
            await GatewayAuthenticationMiddleware.WriteProblemAsync(context, problems, StatusCodes.Status403Forbidden,
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
