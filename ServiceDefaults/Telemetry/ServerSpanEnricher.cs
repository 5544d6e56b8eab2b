using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace ServiceDefaults.Telemetry;

/// <summary>
/// Names the server span after its route and records the status code, which bare .NET spans lack. It runs outermost
/// and reads the endpoint after the request, when routing has chosen it.
/// </summary>
internal sealed class ServerSpanEnricher(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
            if (activity is not null)
            {
                if (context.GetEndpoint() is RouteEndpoint endpoint)
                {
                    var route = endpoint.RoutePattern.RawText ?? "/";
                    activity.SetTag("http.route", route);
                    activity.DisplayName = $"{context.Request.Method} {route}";
                }

                activity.SetTag("http.response.status_code", context.Response.StatusCode);
                if (context.Response.StatusCode >= 500)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }
        }
    }
}
