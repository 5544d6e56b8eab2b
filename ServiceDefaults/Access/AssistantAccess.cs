using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ServiceDefaults.Access;

/// <summary>
/// May this caller use assistant X? chat-service owns assistants and answers it (docs/contracts.md):
/// GET http://chat-service/v1/assistants/{id} with the caller propagated, 200 yes, 404 no. Every refusal is a 404, as
/// if the assistant did not exist, so ids of other users' assistants cannot be probed. A yes is reused for
/// <see cref="AssistantAccessOptions.CacheTime"/> per user and assistant (cached answers must not cost a sibling call);
/// a no is never kept, so a just-created assistant works at once; <see cref="Forget"/> drops an assistant that changed.
/// </summary>
public sealed class AssistantAccess(
    IHttpClientFactory clients, IOptions<AssistantAccessOptions> options, TimeProvider time, CallerTokenCodec codec)
{
    public const string HttpClientName = "assistant-access";
    public const int MaxIdLength = Ids.MaxLength;
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(string Assistant, string User), long> _allowedUntil = new();

    public async Task EnsureAsync(CallerIdentity caller, string assistantId, CancellationToken cancellationToken)
    {
        // An id that cannot be an assistant's is simply not found, before any question to chat-service: "." or ".."
        // would otherwise be dropped from the question's path, which then asks for the caller's list and gets a 200.
        if (!IsAssistantId(assistantId))
        {
            throw NotFound(assistantId);
        }
        // A key names only the assistants it is scoped to, wherever it names one (the gateway answers the same for an
        // id in a path, a query or a JSON body; a multipart form reaches the service).
        if (!caller.CanUseAssistant(assistantId))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, $"This API key may not use assistant '{assistantId}'.", "Forbidden",
                "assistant_not_allowed");
        }
        var key = (assistantId, caller.UserId);
        var now = time.GetTimestamp();
        if (_allowedUntil.TryGetValue(key, out var until) && until > now)
        {
            return;
        }
        if (!await AskChatServiceAsync(caller, assistantId, cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(assistantId);
        }
        if (_allowedUntil.Count >= MaxRemembered)
        {
            _allowedUntil.Clear();
        }
        _allowedUntil[key] = now + (long)(options.Value.CacheTime.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Forgets every verdict on an assistant (it changed or was deleted).</summary>
    public void Forget(string assistantId)
    {
        foreach (var key in _allowedUntil.Keys)
        {
            if (key.Assistant == assistantId)
            {
                _allowedUntil.TryRemove(key, out _);
            }
        }
    }

    private async Task<bool> AskChatServiceAsync(CallerIdentity caller, string assistantId, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://chat-service/v1/assistants/{Uri.EscapeDataString(assistantId)}"));
        // Asked as the caller named here, not as the request being served: the gateway asks for a user's session when
        // it scopes a key, and has no caller of its own on the request.
        if (codec.CanSign)
        {
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, codec.Issue(caller));
        }
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => true,
                HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest => false,
                _ => throw Unavailable(),
            };
        }
        catch (HttpRequestException)
        {
            throw Unavailable();
        }
    }

    /// <summary>asst_ then letters, digits, '_' or '-', as chat-service makes them (and OpenAI's look).</summary>
    public static bool IsAssistantId(string id) => Ids.HasShape(id, "asst");

    public static ApiException NotFound(string assistantId) =>
        new(StatusCodes.Status404NotFound, $"No assistant found with id '{Printable(assistantId)}'.", "Not found", "assistant_not_found");

    private static ApiException Unavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "The assistant could not be checked right now; try again shortly.",
            "Service unavailable", "service_unavailable");

    /// <summary>An id echoed back is cut short and stripped of control characters.</summary>
    private static string Printable(string id) =>
        new(id.Where(c => !char.IsControl(c)).Take(MaxIdLength).ToArray());
}

public sealed class AssistantAccessOptions
{
    public const string SectionName = "AssistantAccess";

    /// <summary>How long chat-service's "yes" is reused per user and assistant.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheTime { get; set; } = TimeSpan.FromSeconds(30);
}
