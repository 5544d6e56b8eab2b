using System.Net.Http.Json;
using ServiceDefaults.Discovery;
using ServiceDefaults.Identity;
using ServiceDefaults.Json;

namespace ChatService.Services;

public sealed record CachedAnswer(string Answer, string? Intent, double Confidence, string? EntryId);

/// <summary>
/// intent-cache-service, per docs/contracts.md: looked up before the model is called, stored into after. Optional:
/// absent or down, it is skipped.
/// </summary>
public sealed partial class IntentCacheClient(HttpClient http, SiblingGuard guard, CallerTokenCodec codec, ILogger<IntentCacheClient> logger)
{
    public const string Sibling = "intent-cache-service";

    public async Task<CachedAnswer?> LookupAsync(
        string assistantId, string text, IReadOnlyList<string> context, string? knowledgeVersion, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (text.Length > SiblingLimits.MaxCachedQuestionLength || !guard.IsAvailable(Sibling))
        {
            return null;
        }
        try
        {
            using var response = await SendAsync("/api/intent-cache/lookup", new LookupRequest(assistantId, text, context, knowledgeVersion), caller, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<LookupResponse>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
            guard.MarkUp(Sibling);
            return body is { Hit: true, Answer: { Length: > 0 } answer }
                ? new CachedAnswer(answer, body.Intent, body.Confidence, body.EntryId)
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or NotSupportedException)
        {
            Unavailable(ex);
            return null;
        }
    }

    public async Task StoreAsync(
        string assistantId, string text, IReadOnlyList<string> context, string? knowledgeVersion, string answer, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (text.Length > SiblingLimits.MaxCachedQuestionLength || answer.Length > SiblingLimits.MaxCachedAnswerLength || !guard.IsAvailable(Sibling))
        {
            return;
        }
        try
        {
            using var response = await SendAsync("/api/intent-cache/store", new StoreRequest(assistantId, text, context, knowledgeVersion, answer), caller, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }
        catch (HttpRequestException ex)
        {
            Unavailable(ex);
        }
    }

    /// <summary>Adds hits answered from <see cref="CachedAnswers"/> to the statistics; false when they were not taken.</summary>
    public async Task<bool> ReportHitsAsync(string assistantId, long hits, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (!guard.IsAvailable(Sibling))
        {
            return false;
        }
        try
        {
            using var response = await SendAsync("/api/intent-cache/hits", new HitsRequest(assistantId, hits), caller, cancellationToken).ConfigureAwait(false);
            // A refusal (the assistant is gone or no longer the caller's) will not change on a retry: drop those hits.
            return response.IsSuccessStatusCode || (int)response.StatusCode is >= 400 and < 500;
        }
        catch (HttpRequestException ex)
        {
            Unavailable(ex);
            return false;
        }
    }

    /// <summary>Removes the assistant's intents and cached answers before the assistant is deleted; 503 if it cannot.</summary>
    public async Task DeleteAssistantAsync(string assistantId, CallerIdentity caller, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/intent-cache/assistants/{Uri.EscapeDataString(assistantId)}");
        if (codec.CanSign)
        {
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, codec.Issue(caller));
        }
        await SiblingCleanup.SendAsync(http, request, Sibling, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync<T>(string path, T body, CallerIdentity caller, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, options: JsonDefaults.Options),
        };
        // Background runs have no request whose caller could travel along: sign it in explicitly.
        if (codec.CanSign)
        {
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, codec.Issue(caller));
        }
        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private void Unavailable(Exception ex)
    {
        if (guard.Failed(Sibling, ex))
        {
            LogUnavailable(logger, ex.Message);
        }
        else
        {
            LogRefused(logger, ex.Message);
        }
    }

    private sealed record LookupRequest(string AssistantId, string Text, IReadOnlyList<string> Context, string? KnowledgeVersion);

    private sealed record StoreRequest(string AssistantId, string Text, IReadOnlyList<string> Context, string? KnowledgeVersion, string Answer);

    private sealed record HitsRequest(string AssistantId, long Hits);

    private sealed record LookupResponse(bool Hit, string? Answer, string? Intent, double Confidence, string? EntryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "intent-cache-service did not answer; answering without the cache: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "intent-cache-service refused a request; this answer goes without the cache: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
