using ServiceDefaults.Errors;
using Microsoft.Net.Http.Headers;

namespace Gateway.Auth;

/// <summary>
/// Reads the credential of a request (Authorization: Bearer with a JWT or an API key, or X-API-Key) and records who
/// is calling. A credential that does not check out is answered 401 at once; no credential leaves the request
/// anonymous, and routes decide whether that is enough.
/// </summary>
public sealed class GatewayAuthenticationMiddleware(
    RequestDelegate next, AccessTokenService accessTokens, ApiKeyCache keyCache)
{
    public const string ApiKeyHeader = "X-API-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        var credential = ReadCredential(context.Request);
        if (credential is not null)
        {
            var caller = credential.StartsWith(Secrets.ApiKeyPrefix, StringComparison.Ordinal)
                ? await AuthenticateKeyAsync(context, credential).ConfigureAwait(false)
                : await AuthenticateSessionAsync(credential).ConfigureAwait(false);
            if (caller is null)
            {
                await context.WriteProblemAsync(StatusCodes.Status401Unauthorized,
                    "The access token or API key is invalid, expired or revoked.", "invalid_api_key").ConfigureAwait(false);
                return;
            }
            context.SetGatewayCaller(caller);
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>A busy key is answered from the cache, without building the database context at all.</summary>
    private ValueTask<GatewayCaller?> AuthenticateKeyAsync(HttpContext context, string secret)
    {
        var hash = Secrets.HashSecret(secret);
        return keyCache.TryGet(hash, out var cached)
            ? ValueTask.FromResult(cached)
            : new ValueTask<GatewayCaller?>(context.RequestServices.GetRequiredService<ApiKeyService>()
                .AuthenticateAsync(hash, context.RequestAborted));
    }

    private async Task<GatewayCaller?> AuthenticateSessionAsync(string token) =>
        await accessTokens.ValidateAsync(token).ConfigureAwait(false) is { } session
            ? new GatewayCaller(session.UserId, session.Name, null, null, null, null)
            : null;

    private static string? ReadCredential(HttpRequest request)
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
