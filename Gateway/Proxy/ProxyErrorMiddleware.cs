using Gateway.Auth;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Proxy;

/// <summary>
/// A service that is down, unreachable or has no healthy destination answers 503 in the route family's error shape
/// (ProblemDetails, or OpenAI's body on /v1) instead of YARP's bare 502/503/504.
/// </summary>
public sealed class ProxyErrorMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        if (context.Features.Get<IForwarderErrorFeature>() is { } error && !context.Response.HasStarted
            && error.Error is not ForwarderError.RequestCanceled and not ForwarderError.RequestBodyCanceled)
        {
            var cluster = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Cluster?.ClusterId ?? "the service";
            var status = error.Error is ForwarderError.RequestTimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            await GatewayAuthenticationMiddleware.WriteProblemAsync(context, problems, status,
                status == StatusCodes.Status504GatewayTimeout
                    ? $"{cluster} did not answer in time."
                    : $"{cluster} is not available right now; try again shortly.",
                "service_unavailable").ConfigureAwait(false);
        }
    }
}
