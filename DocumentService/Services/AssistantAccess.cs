using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace DocumentService.Services;

/// <summary>Whether a caller may use an assistant. Refusals are 404, as if the assistant did not exist.</summary>
public interface IAssistantAccess
{
    Task EnsureCanUseAsync(CallerIdentity caller, string assistantId, CancellationToken cancellationToken);
}

/// <summary>
/// Asks the owner of assistants, chat-service (docs/contracts.md): GET /v1/assistants/{id} with the caller
/// propagated, 200 allowed, 404 not. A yes is remembered briefly per caller, because the chat service asks for
/// knowledge and passages on every turn; a no is never remembered, so a just-created assistant works at once.
/// </summary>
public sealed class ChatServiceAssistantAccess(
    IHttpClientFactory httpClients,
    IOptions<DocumentsOptions> options,
    TimeProvider time) : IAssistantAccess
{
    public const string ClientName = "chat-service";
    public const int MaxIdLength = 128;

    private readonly ConcurrentDictionary<(string User, string? Key, string Assistant), DateTimeOffset> _allowed = new();

    public async Task EnsureCanUseAsync(CallerIdentity caller, string assistantId, CancellationToken cancellationToken)
    {
        // An id that cannot exist (too long for the column, control characters) is simply not found.
        if (assistantId.Length > MaxIdLength || assistantId.Any(char.IsControl) || !caller.CanUseAssistant(assistantId))
        {
            throw NotFound(assistantId);
        }

        var key = (caller.UserId, caller.KeyId, assistantId);
        var now = time.GetUtcNow();
        if (_allowed.TryGetValue(key, out var until) && until > now)
        {
            return;
        }

        var http = httpClients.CreateClient(ClientName);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(
                new Uri($"http://chat-service/v1/assistants/{Uri.EscapeDataString(assistantId)}"), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable,
                "The assistant could not be checked: chat-service did not answer (" + ex.Message + ").", "Service unavailable");
        }

        using (response)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    if (_allowed.Count > 100_000)
                    {
                        _allowed.Clear();
                    }
                    _allowed[key] = now + options.Value.AssistantCheckCacheTime;
                    return;
                case HttpStatusCode.NotFound or HttpStatusCode.Forbidden:
                    throw NotFound(assistantId);
                default:
                    throw new ApiException(StatusCodes.Status502BadGateway,
                        $"The assistant could not be checked: chat-service answered {(int)response.StatusCode}.", "Bad gateway");
            }
        }
    }

    public static ApiException NotFound(string assistantId) =>
        new(StatusCodes.Status404NotFound, $"No assistant found with id '{assistantId}'.", "Not found", "not_found");
}
