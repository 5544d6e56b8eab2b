using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace IntentCacheService.Services;

/// <summary>
/// Whether a caller may use an assistant, as chat-service (the owner of assistants) says: GET
/// http://chat-service/v1/assistants/{id} with the caller propagated, 200 yes, 404 no. Verdicts are kept briefly so a
/// cached-answer lookup costs no sibling call; "assistant-changed" forgets them at once.
/// </summary>
public sealed class AssistantAccess(IHttpClientFactory clients, IOptions<IntentCacheOptions> options, TimeProvider time)
{
    public const string HttpClientName = "chat-service";
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(string Assistant, string User), (bool Allowed, long Until)> _verdicts = new();

    public async Task EnsureAsync(CallerIdentity caller, string assistantId, CancellationToken cancellationToken)
    {
        if (!caller.CanUseAssistant(assistantId))
        {
            throw NotFound(assistantId);
        }
        var key = (assistantId, caller.UserId);
        var now = time.GetTimestamp();
        if (_verdicts.TryGetValue(key, out var verdict) && verdict.Until > now)
        {
            if (!verdict.Allowed)
            {
                throw NotFound(assistantId);
            }
            return;
        }

        var allowed = await AskChatServiceAsync(assistantId, cancellationToken).ConfigureAwait(false);
        if (_verdicts.Count >= MaxRemembered)
        {
            _verdicts.Clear();
        }
        // A refusal is remembered for a shorter time: an assistant created a moment ago must become usable soon.
        var duration = allowed ? options.Value.OwnershipCacheDuration : options.Value.OwnershipCacheDuration / 6;
        _verdicts[key] = (allowed, now + (long)(duration.TotalSeconds * time.TimestampFrequency));
        if (!allowed)
        {
            throw NotFound(assistantId);
        }
    }

    /// <summary>Forgets every verdict on an assistant (it changed or was deleted).</summary>
    public void Forget(string assistantId)
    {
        foreach (var key in _verdicts.Keys)
        {
            if (key.Assistant == assistantId)
            {
                _verdicts.TryRemove(key, out _);
            }
        }
    }

    private async Task<bool> AskChatServiceAsync(string assistantId, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(HttpClientName);
        try
        {
            using var response = await http.GetAsync(
                new Uri($"http://chat-service/v1/assistants/{Uri.EscapeDataString(assistantId)}"), cancellationToken).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => true,
                HttpStatusCode.NotFound or HttpStatusCode.Forbidden => false,
                _ => throw new ApiException(
                    StatusCodes.Status502BadGateway, $"chat-service answered {(int)response.StatusCode} on the assistant check.", "Bad gateway"),
            };
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException(
                StatusCodes.Status503ServiceUnavailable, "chat-service is unreachable, so the assistant cannot be checked: " + ex.Message,
                "Service unavailable");
        }
    }

    private static ApiException NotFound(string assistantId) =>
        new(StatusCodes.Status404NotFound, $"No assistant '{assistantId}' that this caller may use.", "Not found", "assistant_not_found");
}
