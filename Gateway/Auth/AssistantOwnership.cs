using System.Net;
using Gateway.Proxy;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace Gateway.Auth;

/// <summary>
/// A key's scope may name only its user's own assistants: chat-service owns assistants, so each one is asked for as
/// the user (docs/contracts.md). Another user's assistant is answered as if it did not exist, as everywhere else.
/// </summary>
public sealed class AssistantOwnership(IHttpClientFactory clients, CallerTokens tokens)
{
    public async Task EnsureOwnedAsync(GatewayCaller caller, IEnumerable<string> assistantIds, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(nameof(AssistantOwnership));
        foreach (var id in assistantIds.Distinct(StringComparer.Ordinal))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://chat-service/v1/assistants/{Uri.EscapeDataString(id)}"));
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, tokens.For(caller));
            HttpStatusCode status;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = HttpStatusCode.ServiceUnavailable;
            }
            if (status == HttpStatusCode.NotFound)
            {
                throw new ApiException(StatusCodes.Status404NotFound, $"No assistant found with id '{id}'.", "Not found", "assistant_not_found");
            }
            if (status != HttpStatusCode.OK)
            {
                throw new ApiException(StatusCodes.Status503ServiceUnavailable,
                    "chat-service could not confirm the key's assistants; try again shortly.", "Service unavailable", "service_unavailable");
            }
        }
    }
}
