using ServiceDefaults.Errors;
using Gateway.Auth;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Proxy;

/// <summary>
/// A service that is down, unreachable or has no healthy destination answers 503 in the route family's error shape
/// (ProblemDetails, or OpenAI's body on /v1) instead of YARP's bare 502/503/504.
/// </summary>
public sealed class ProxyErrorMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        if (context.Features.Get<IForwarderErrorFeature>() is not { } error || context.Response.HasStarted)
        {
            return;
        }

        if (error.Error is ForwarderError.RequestBodyClient)
        {
            // The client's side of the request failed (a body over the route's size limit, a broken upload).
            var status = BadRequestStatus(error.Exception) ?? StatusCodes.Status400BadRequest;
            await context.WriteProblemAsync(status,
                status == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than this route accepts." : "The request body could not be read.")
                .ConfigureAwait(false);
            return;
        }
        if (error.Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled)
        {
            return;
        }

        var cluster = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Cluster?.ClusterId ?? "the service";
        var timedOut = error.Error is ForwarderError.RequestTimedOut;
        context.Response.Headers.RetryAfter = "5";
        await context.WriteProblemAsync(
            timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status503ServiceUnavailable,
            timedOut ? $"{cluster} did not answer in time." : $"{cluster} is not available right now; try again shortly.",
            "service_unavailable").ConfigureAwait(false);
    }

    private static int? BadRequestStatus(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BadHttpRequestException bad)
            {
                return bad.StatusCode;
            }
        }
        return null;
    }
}
