using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ServiceDefaults.Identity;

/// <summary>
/// Reads the gateway's token. A request that carries one which does not verify is refused outright: a made-up
/// identity is an attack, not an anonymous request.
/// </summary>
internal sealed class CallerIdentityMiddleware(RequestDelegate next, CallerTokenCodec codec, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.TryGetValue(CallerTokenCodec.HeaderName, out var values))
        {
            if (!codec.TryRead(values.ToString(), out var caller, out var error))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status401Unauthorized,
                        Title = "Unauthorized",
                        Detail = "The caller identity was refused: " + error + ".",
                    },
                }).ConfigureAwait(false);
                return;
            }
            context.SetCaller(caller!);
        }
        await next(context).ConfigureAwait(false);
    }
}
