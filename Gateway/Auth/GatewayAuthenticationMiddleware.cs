using System.Globalization;
using Gateway.Limits;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.Errors;
using Microsoft.Net.Http.Headers;

namespace Gateway.Auth;

/// <summary>
/// Reads the credential of a request (Authorization: Bearer with a JWT or an API key, or X-API-Key) and records who
/// is calling. A credential that does not check out is answered 401 at once; no credential leaves the request
/// anonymous, and routes decide whether that is enough.
/// </summary>
public sealed class GatewayAuthenticationMiddleware(
    RequestDelegate next, CallerCache callers, ILimitStore limits, IOptions<LimitOptions> limitOptions, TimeProvider time)
{
    public const string ApiKeyHeader = "X-API-Key";
    private const long MaxUnixSeconds = 253_402_300_799;   // 9999-12-31, DateTimeOffset's last second

    /// <summary>A credential checked a moment ago, or none at all, continues without an await of its own.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var credential = ReadCredential(context.Request);
        if (credential is null)
        {
            return next(context);
        }
        if (!callers.TryGet(credential, out var caller))
        {
            return AuthenticateAsync(context, credential);
        }
        if (caller is null)
        {
            // Refused a moment ago: an unknown or revoked key counts as a guess, a session's token (logged out) does not.
            return RefuseAsync(context, guess: IsApiKey(credential));
        }
        context.SetGatewayCaller(caller);
        return next(context);
    }

    private static bool IsApiKey(string credential) => credential.StartsWith(Secrets.ApiKeyPrefix, StringComparison.Ordinal);

    private async Task AuthenticateAsync(HttpContext context, string credential)
    {
        var (caller, guess) = IsApiKey(credential)
            ? (await AuthenticateKeyAsync(context, credential).ConfigureAwait(false), true)
            : await AuthenticateSessionAsync(context, credential).ConfigureAwait(false);
        if (caller is null)
        {
            await RefuseAsync(context, guess).ConfigureAwait(false);
            return;
        }
        context.SetGatewayCaller(caller);
        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// A refused guess (a key nobody holds, a token not signed here) is an anonymous request: it takes room from its
    /// address's limit, so guessing keys or tokens (each a hash and a query) is as slow as any anonymous request, and
    /// past that limit the answer is a 429. A token of ours that expired or whose session ended is no guess: clients
    /// behind one address meet those all the time, and answer them by refreshing.
    /// </summary>
    private Task RefuseAsync(HttpContext context, bool guess)
    {
        if (!guess)
        {
            return UnauthorizedAsync(context);
        }
        var decision = RateLimitMiddleware.AcquireAnonymous(context, limits, limitOptions.Value);
        return decision.IsCompletedSuccessfully ? Refuse(context, decision.Result) : RefuseAfterAsync(context, decision);
    }

    private async Task RefuseAfterAsync(HttpContext context, ValueTask<LimitDecision> decision) =>
        await Refuse(context, await decision.ConfigureAwait(false)).ConfigureAwait(false);

    private Task Refuse(HttpContext context, LimitDecision decision) => decision.Allowed
        ? UnauthorizedAsync(context)
        : LimitHeaders.RejectAsync(context, decision, "Anonymous request", limitOptions.Value.Window);

    private static Task UnauthorizedAsync(HttpContext context) =>
        context.WriteProblemAsync(StatusCodes.Status401Unauthorized, "The access token or API key is invalid, expired or revoked.", "invalid_api_key");

    private async Task<GatewayCaller?> AuthenticateKeyAsync(HttpContext context, string secret)
    {
        var hash = Secrets.HashSecret(secret);
        var caller = await context.RequestServices.GetRequiredService<ApiKeyService>()
            .AuthenticateAsync(hash, context.RequestAborted).ConfigureAwait(false);
        callers.RememberKey(secret, hash, caller);
        return caller;
    }

    /// <summary>
    /// The JwtBearer handler checks an access token (signature, issuer, audience, lifetime), and its session is looked
    /// up: a token of a session that was logged out or revoked is refused although it has not expired.
    /// </summary>
    private async Task<(GatewayCaller? Caller, bool Guess)> AuthenticateSessionAsync(HttpContext context, string token)
    {
        var result = await context.AuthenticateAccessTokenAsync().ConfigureAwait(false);
        if (!result.Succeeded || result.Principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is not { Length: > 0 } userId)
        {
            // The lifetime is checked after the signature: a token outside it was signed here.
            return (null, result.Failure is not (SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException));
        }
        // Tokens issued before sessions were named carry none; they expire within the access-token lifetime.
        var sessionId = result.Principal.FindFirst(AccessTokenService.SessionClaim)?.Value;
        var ended = sessionId is not null && await context.RequestServices.GetRequiredService<AccountService>()
            .SessionEndedAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        var caller = ended ? null : new GatewayCaller(userId, result.Principal.FindFirst(JwtRegisteredClaimNames.Name)?.Value, null, null, null, null);
        // The validated token has an expiry (RequireExpirationTime); without a readable one it is simply not kept.
        if (long.TryParse(result.Principal.FindFirst(JwtRegisteredClaimNames.Exp)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            && exp < MaxUnixSeconds
            && DateTimeOffset.FromUnixTimeSeconds(exp) is var expires && expires > time.GetUtcNow())
        {
            callers.RememberSession(token, sessionId, caller, expires);
        }
        return (caller, false);
    }

    internal static string? ReadCredential(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyHeader, out var apiKey) && apiKey.ToString() is { Length: > 0 } key)
        {
            return key.Trim();
        }
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && authorization.Length > bearer.Length
            ? authorization[bearer.Length..].Trim()
            : null;
    }
}
