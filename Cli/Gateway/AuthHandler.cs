using System.Net;
using System.Net.Http.Headers;

namespace Cli.Gateway;

/// <summary>
/// Sends CHATBOT_API_KEY, or else the stored session's access token, refreshing it (and storing the rotated pair)
/// shortly before it expires or when the gateway answers 401 to a request that can be sent again.
/// </summary>
public sealed class AuthHandler(Uri gateway, string? apiKey, TokenStore store, Func<AuthClient> auth, TimeProvider clock) : DelegatingHandler
{
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromSeconds(30);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            return await base.SendAsync(request, cancellationToken);
        }
        var session = store.Get(gateway)
            ?? throw new CliException($"Not logged in to {gateway}: run `chatbot login` or set CHATBOT_API_KEY.", ExitCodes.Unauthorized);
        if (session.ExpiresAt - clock.GetUtcNow() < RefreshAhead)
        {
            session = await RefreshAsync(session, cancellationToken);
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        var response = await base.SendAsync(request, cancellationToken);
        // A request with a body may have been read already; only bodiless ones are sent again.
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }
        response.Dispose();
        session = await RefreshAsync(session, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<StoredSession> RefreshAsync(StoredSession session, CancellationToken cancellationToken)
    {
        TokenPair pair;
        try
        {
            pair = await auth().RefreshAsync(session.RefreshToken, cancellationToken);
        }
        catch (CliException ex) when (ex.ExitCode == ExitCodes.Unauthorized)
        {
            store.Remove(gateway);
            throw new CliException("The session has ended; log in again with `chatbot login`.", ExitCodes.Unauthorized);
        }
        var renewed = pair.ToSession(clock);
        store.Save(gateway, renewed);
        return renewed;
    }
}
