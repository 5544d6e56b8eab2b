using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ServiceDefaults.Errors;

/// <summary>
/// What a request's method and path mean before routing sees them. HEAD is served wherever GET is (HTTP requires it;
/// minimal APIs map GET alone, so HEAD was a 405): the request is routed as GET and Kestrel, which still knows it was
/// HEAD, sends the headers without the body. A path with a "." or ".." segment, written or percent-encoded, is refused:
/// Kestrel would resolve it, so `DELETE /v1/threads/{id}/messages/%2e%2e` deleted the thread.
/// </summary>
internal sealed class MethodsMiddleware(RequestDelegate next)
{
    private static readonly object RequestedKey = new();

    public Task InvokeAsync(HttpContext context)
    {
        if (HasDotSegment(context.Features.Get<IHttpRequestFeature>()?.RawTarget))
        {
            return context.WriteProblemAsync(StatusCodes.Status400BadRequest,
                "The path has a '.' or '..' segment; send the object's URL without them.", "invalid_path");
        }
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Items[RequestedKey] = context.Request.Method;
            context.Request.Method = HttpMethods.Get;
        }
        return next(context);
    }

    /// <summary>The method the client sent (HEAD is routed as GET).</summary>
    public static string Requested(HttpContext context) =>
        context.Items.TryGetValue(RequestedKey, out var method) && method is string sent ? sent : context.Request.Method;

    private static bool HasDotSegment(string? target)
    {
        if (string.IsNullOrEmpty(target) || !target.Contains('.', StringComparison.Ordinal) && !target.Contains("%2e", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var end = target.IndexOfAny(['?', '#']);
        var path = end < 0 ? target : target[..end];
        foreach (var segment in path.Split('/'))
        {
            var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (decoded is "." or "..")
            {
                return true;
            }
        }
        return false;
    }
}
