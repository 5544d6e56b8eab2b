using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Hosting;

/// <summary>Adds X-Process-Time: the milliseconds the request spent in this service before its response started.</summary>
internal sealed class ProcessTimeMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Process-Time";

    public Task InvokeAsync(HttpContext context)
    {
        // A static callback with its state in one tuple: no closure and delegate to allocate per request.
        context.Response.OnStarting(static state =>
        {
            var (response, started) = ((HttpResponse, long))state;
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.Headers[HeaderName] = ms.ToString("0.###", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }, (context.Response, Stopwatch.GetTimestamp()));
        return next(context);
    }
}
