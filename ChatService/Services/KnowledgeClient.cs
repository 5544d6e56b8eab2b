using System.Net;
using System.Net.Http.Json;
using ServiceDefaults.Discovery;
using ServiceDefaults.Identity;
using ServiceDefaults.Json;

namespace ChatService.Services;

public sealed record PromptDocument(string DocumentId, string Filename, string Text);

public sealed record KnowledgePassage(string DocumentId, string Filename, string Text, double Score);

/// <summary>An assistant's knowledge as document-service reports it; <see cref="Version"/> is null when it could not be asked.</summary>
public sealed record KnowledgeSnapshot(string? Version, IReadOnlyList<PromptDocument> Instructions)
{
    public static readonly KnowledgeSnapshot None = new(null, []);
}

/// <summary>
/// document-service, per docs/contracts.md. It is optional: when it is absent or down, answers go on without
/// knowledge rather than failing.
/// </summary>
public sealed partial class KnowledgeClient(
    HttpClient http, SiblingGuard guard, CallerTokenCodec codec, KnowledgeSnapshots snapshots, ILogger<KnowledgeClient> logger)
{
    public const string Sibling = "document-service";

    /// <summary>The caller must already have been allowed the assistant: snapshots are shared by everyone who may use it.</summary>
    public async Task<KnowledgeSnapshot> GetKnowledgeAsync(string assistantId, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (snapshots.TryGet(assistantId, out var known))
        {
            return known;
        }
        var generation = snapshots.Generation;
        var snapshot = await AskKnowledgeAsync(assistantId, caller, cancellationToken).ConfigureAwait(false);
        snapshots.Remember(assistantId, snapshot, generation);
        return snapshot;
    }

    private async Task<KnowledgeSnapshot> AskKnowledgeAsync(string assistantId, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (!guard.IsAvailable(Sibling))
        {
            return KnowledgeSnapshot.None;
        }
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/assistants/{Uri.EscapeDataString(assistantId)}/knowledge");
            Vouch(request, caller);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // An assistant document-service has never seen has no documents yet.
                return new KnowledgeSnapshot("none", []);
            }
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<KnowledgeResponse>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
            guard.MarkUp(Sibling);
            return new KnowledgeSnapshot(body?.Version ?? "none",
                body?.Instructions?.Select(i => new PromptDocument(i.DocumentId ?? "", i.Filename ?? "", i.Text ?? "")).ToList() ?? []);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or NotSupportedException)
        {
            Unavailable(ex);
            return KnowledgeSnapshot.None;
        }
    }

    public async Task<IReadOnlyList<KnowledgePassage>> SearchAsync(string assistantId, string query, int topK, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (topK == 0 || string.IsNullOrWhiteSpace(query) || !guard.IsAvailable(Sibling))
        {
            return [];
        }
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents/search")
            {
                Content = JsonContent.Create(new SearchRequest(assistantId, SearchQuery.Of(query), topK), options: JsonDefaults.Options),
            };
            Vouch(request, caller);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return [];
            }
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<SearchResponse>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
            return body?.Data?.Where(d => !string.IsNullOrWhiteSpace(d.Text))
                .Select(d => new KnowledgePassage(d.DocumentId ?? "", d.Filename ?? "", d.Text!, d.Score))
                .ToList() ?? [];
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or NotSupportedException)
        {
            Unavailable(ex);
            return [];
        }
    }

    /// <summary>Removes the assistant's documents, chunks and store attachments before the assistant is deleted; 503 if it cannot.</summary>
    public async Task DeleteAssistantAsync(string assistantId, CallerIdentity caller, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/assistants/{Uri.EscapeDataString(assistantId)}/documents");
        Vouch(request, caller);
        await SiblingCleanup.SendAsync(http, request, Sibling, cancellationToken).ConfigureAwait(false);
        snapshots.Forget(assistantId);
    }

    /// <summary>
    /// Background runs have no request whose caller could travel along, so the caller is signed in explicitly
    /// (the propagation handler leaves a request that already carries one alone).
    /// </summary>
    private void Vouch(HttpRequestMessage request, CallerIdentity caller)
    {
        if (codec.CanSign)
        {
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, codec.Issue(caller));
        }
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

    private sealed record KnowledgeResponse(string? AssistantId, string? Version, IReadOnlyList<InstructionDocument>? Instructions);

    private sealed record InstructionDocument(string? DocumentId, string? Filename, string? Text);

    private sealed record SearchRequest(string AssistantId, string Query, int TopK);

    private sealed record SearchResponse(IReadOnlyList<SearchHit>? Data);

    private sealed record SearchHit(string? DocumentId, string? Filename, int ChunkIndex, double Score, string? Text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "document-service did not answer; answering without knowledge: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "document-service refused a request; this answer goes without knowledge: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
