using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;

namespace ServiceDefaults.Identity;

/// <summary>
/// Reads the gateway's token. A request that carries one which does not verify is refused outright: a made-up
/// identity is an attack, not an anonymous request. The gateway itself takes none (IdentityOptions.AcceptCallerTokens).
/// </summary>
internal sealed class CallerIdentityMiddleware(RequestDelegate next, CallerTokenCodec codec, IOptions<IdentityOptions> options)
{
    private readonly bool _accepts = options.Value.AcceptCallerTokens;

    /// <summary>Without an await of its own: most requests to the gateway carry no caller token at all.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Headers.TryGetValue(CallerTokenCodec.HeaderName, out var values))
        {
            return next(context);
        }
        if (!_accepts)
        {
            context.Request.Headers.Remove(CallerTokenCodec.HeaderName);
            return next(context);
        }
        if (!codec.TryRead(values.ToString(), out var caller, out var error))
        {
            return context.WriteProblemAsync(StatusCodes.Status401Unauthorized,
                "The caller identity was refused: " + error + ".", title: "Unauthorized");
        }
        context.SetCaller(caller!);
        AmbientCaller.Enter(context, caller!);
        return next(context);
    }
}
