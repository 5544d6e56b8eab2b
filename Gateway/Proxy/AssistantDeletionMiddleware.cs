using Gateway.Auth;

namespace Gateway.Proxy;

/// <summary>
/// When chat-service confirms a `DELETE /v1/assistants/{id}`, the gateway takes the assistant out of its owner's
/// scoped API keys: keys are the gateway's own data, so it cleans them itself rather than being called back. Should
/// this step fail, the key only names an id that no longer exists (ids are never reused), which reaches nothing.
/// </summary>
public sealed partial class AssistantDeletionMiddleware(RequestDelegate next, ILogger<AssistantDeletionMiddleware> logger)
{
    private const string Prefix = "/v1/assistants/";

    /// <summary>Only a DELETE waits for its answer here; every other request goes on without an await of this middleware.</summary>
    public Task InvokeAsync(HttpContext context) =>
        HttpMethods.IsDelete(context.Request.Method) ? DeleteAsync(context) : next(context);

    private async Task DeleteAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        if (context.Response.StatusCode != StatusCodes.Status200OK
            || context.GetGatewayCaller() is not { } caller
            || context.Request.Path.Value is not { } path || !path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }
        var assistantId = path[Prefix.Length..].TrimEnd('/');
        if (assistantId.Length == 0 || assistantId.Contains('/'))
        {
            return;
        }
        try
        {
            var keys = context.RequestServices.GetRequiredService<ApiKeyService>();
            await keys.RemoveAssistantAsync(caller.UserId, assistantId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogScopeCleanupFailed(logger, ex, assistantId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove deleted assistant {AssistantId} from API key scopes")]
    private static partial void LogScopeCleanupFailed(ILogger logger, Exception exception, string assistantId);
}
