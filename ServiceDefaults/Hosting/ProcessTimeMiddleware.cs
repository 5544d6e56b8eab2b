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
        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Response.Headers[HeaderName] = ms.ToString("0.###", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        return next(context);
    }
}
