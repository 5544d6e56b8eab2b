using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ServiceDefaults.Errors;

namespace Gateway.Extensions;

/// <summary>
/// An address or headers too large are answered in the route's error shape (OpenAI's body on /v1, a problem
/// elsewhere), not with the empty 414/431 Kestrel writes itself: Kestrel's own limits are raised so such a request
/// reaches this check, which holds the sizes every service behind the gateway accepts (Kestrel's defaults there),
/// less room for the headers the gateway adds on the way.
/// </summary>
public static class RequestSizes
{
    /// <summary>The longest path and query answered; a service's request line holds 8 KB with the method and version.</summary>
    public const int MaxTarget = 8_000;

    /// <summary>The most header bytes (names and values) answered; a service takes 32 KB, the gateway adds its own.</summary>
    public const int MaxHeaderBytes = 30_000;

    public const int MaxHeaderCount = 100;

    public static void AddRequestSizes(this IHostApplicationBuilder builder) =>
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            // Beyond these Kestrel still answers alone (an empty 414/431); they bound what a connection may buffer.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 2 * MaxHeaderCount;
        });

    public static WebApplication UseRequestSizes(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
            if (target?.Length > MaxTarget)
            {
                return context.WriteProblemAsync(StatusCodes.Status414UriTooLong,
                    $"The address is longer than {MaxTarget} characters; send long values in the body.", "uri_too_long");
            }
            var headers = context.Request.Headers;
            if (headers.Count > MaxHeaderCount || HeaderBytes(headers) > MaxHeaderBytes)
            {
                return context.WriteProblemAsync(StatusCodes.Status431RequestHeaderFieldsTooLarge,
                    $"The request's headers are larger than {MaxHeaderBytes} bytes or more than {MaxHeaderCount}.", "headers_too_large");
            }
            return next(context);
        });
        return app;
    }

    private static long HeaderBytes(IHeaderDictionary headers)
    {
        long total = 0;
        foreach (var (name, values) in headers)
        {
            total += name.Length;
            foreach (var value in values)
            {
                total += value?.Length ?? 0;
            }
        }
        return total;
    }
}
