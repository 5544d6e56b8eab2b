namespace Gateway.Extensions;

/// <summary>
/// Every answer carries `x-request-id` (req_ and 32 hex digits), as OpenAI's do: its SDKs show it as `request_id` on
/// results and errors, for a user to quote. It is also the request's TraceIdentifier, so the gateway's logs name it,
/// and goes to the service as X-Request-Id; a client's own X-Request-Id is replaced, never trusted.
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "x-request-id";

    public static WebApplication UseRequestIds(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var id = "req_" + Guid.NewGuid().ToString("N");
            context.TraceIdentifier = id;
            context.Request.Headers[HeaderName] = id;
            // Set as the answer starts: an error handler clears the headers set before it, and a proxied answer brings
            // the service's own headers.
            context.Response.OnStarting(static state =>
            {
                var (response, value) = ((HttpResponse, string))state;
                response.Headers[HeaderName] = value;
                return Task.CompletedTask;
            }, (context.Response, id));
            return next(context);
        });
        return app;
    }
}
