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
            return await SendToGatewayAsync(request, cancellationToken);
        }
        var session = store.Get(gateway)
            ?? throw new CliException($"Not logged in to {gateway}: run `chatbot login` or set CHATBOT_API_KEY.", ExitCodes.Unauthorized);
        if (session.ExpiresAt - clock.GetUtcNow() < RefreshAhead)
        {
            session = await RefreshAsync(session, cancellationToken);
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        var response = await SendToGatewayAsync(request, cancellationToken);
        // A request with a body may have been read already; only bodiless ones are sent again.
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }
        response.Dispose();
        session = await RefreshAsync(session, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        return await SendToGatewayAsync(request, cancellationToken);
    }

    /// <summary>
    /// A web page where JSON was asked for (the OpenAI client asks so) means the URL is some other site, a dashboard
    /// say; said here because the OpenAI client would fail on it with a parser's exception.
    /// </summary>
    private async Task<HttpResponseMessage> SendToGatewayAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType == "text/html"
            && request.Headers.Accept.Any(accept => accept.MediaType == "application/json"))
        {
            response.Dispose();
            throw Json.NotAGateway(gateway, "text/html");
        }
        return response;
    }

    /// <summary>
    /// Rotates the pair under the store's lock. Another chatbot process may have rotated it meanwhile: its pair is used,
    /// because sending the old refresh token again would look like theft to the gateway and end the session for all.
    /// </summary>
    private async Task<StoredSession> RefreshAsync(StoredSession seen, CancellationToken cancellationToken)
    {
        using var held = await store.LockAsync(cancellationToken);
        var current = store.Get(gateway) ?? throw Ended();
        if (current.RefreshToken != seen.RefreshToken)
        {
            return current;
        }
        TokenPair pair;
        try
        {
            pair = await auth().RefreshAsync(current.RefreshToken, cancellationToken);
        }
        catch (CliException ex) when (ex.ExitCode == ExitCodes.Unauthorized)
        {
            // Under the lock the file still holds the refused token, so the session is over; a later login is not undone.
            if (store.Get(gateway)?.RefreshToken == current.RefreshToken)
            {
                store.Remove(gateway);
            }
            throw Ended();
        }
        var renewed = pair.ToSession(clock);
        store.Save(gateway, renewed);
        return renewed;
    }

    private static CliException Ended() => new("The session has ended; log in again with `chatbot login`.", ExitCodes.Unauthorized);
}
