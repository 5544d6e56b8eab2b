using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Json;

namespace ChatService.Services;

/// <summary>What a file search asks: OpenAI's file_search tool options (filters as OpenAI defines them, passed through).</summary>
public sealed record FileSearchQuery(string Query, int MaxNumResults = 10, JsonElement? Filters = null, double? ScoreThreshold = null, string? Ranker = null);

public sealed record FileSearchText(string Type, string Text);

/// <summary>
/// One result, in the shape both consumers need: a Responses `file_search_call` result (file_id, filename, score,
/// attributes, text) and an Assistants `file_citation` annotation (file_id, plus the text the marker cites).
/// </summary>
public sealed record FileSearchResult(
    string VectorStoreId, string FileId, string Filename, double Score, JsonElement Attributes, IReadOnlyList<FileSearchText> Content)
{
    public string Text => string.Join("\n", Content.Where(c => c.Type == "text").Select(c => c.Text));

    /// <summary>As a passage the prompt builder and the offline responder read.</summary>
    public KnowledgePassage ToPassage() => new(FileId, Filename, Text, Score);
}

/// <summary>
/// document-service's `POST /v1/vector_stores/{id}/search`, over one or more vector stores at once (in parallel),
/// merged best score first and cut to `max_num_results`. A store the caller may not reach, or bad filters, come back
/// as document-service answered them (400, 403 or 404 as <see cref="ApiException"/>); document-service not answering is a 503.
/// </summary>
public sealed class FileSearchClient(HttpClient http, CallerTokenCodec codec)
{
    public const string Sibling = "document-service";

    private static readonly JsonElement EmptyAttributes = JsonDocument.Parse("{}").RootElement.Clone();

    /// <param name="skipGone">
    /// Whether a store that is gone is searched as empty: a run's stores were checked when its assistant or thread named
    /// them, and deleting one later must not fail every run after it.
    /// </param>
    public async Task<IReadOnlyList<FileSearchResult>> SearchAsync(
        IReadOnlyList<string> vectorStoreIds, FileSearchQuery query, CallerIdentity caller, CancellationToken cancellationToken,
        bool skipGone = false)
    {
        if (vectorStoreIds.Count == 0 || string.IsNullOrWhiteSpace(query.Query))
        {
            return [];
        }
        // The query is a user's message, which may be longer than document-service takes.
        query = query with { Query = SearchQuery.Of(query.Query) };
        var pages = await Task.WhenAll(vectorStoreIds.Distinct(StringComparer.Ordinal)
            .Select(id => SearchOneAsync(id, query, caller, skipGone, cancellationToken))).ConfigureAwait(false);
        return pages.SelectMany(p => p)
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.FileId, StringComparer.Ordinal)
            // A file in two of the stores (an assistant's and its thread's) is one passage, quoted and cited once.
            .DistinctBy(r => (r.FileId, string.Join('\n', r.Content.Select(c => c.Text))))
            .Take(query.MaxNumResults)
            .ToList();
    }

    /// <summary>Whether the caller may reach this vector store (document-service answers 200, else 403 or 404).</summary>
    public async Task<bool> ExistsAsync(string vectorStoreId, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (!Ids.HasShape(vectorStoreId, "vs"))
        {
            return false;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/vector_stores/{Uri.EscapeDataString(vectorStoreId)}");
        Vouch(request, caller);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            // A store of an assistant outside an API key's scope is one the caller cannot reach, as another user's is.
            if (IsRefusal(response.StatusCode))
            {
                return false;
            }
            response.EnsureSuccessStatusCode();
            return true;
        }
        catch (HttpRequestException)
        {
            throw Unavailable();
        }
    }

    /// <summary>A new vector store of the caller's holding these files (a thread's, for its messages' attachments); its id.</summary>
    public async Task<string> CreateStoreAsync(string name, IReadOnlyList<string> fileIds, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var created = await SendForAttachmentsAsync(HttpMethod.Post, "/v1/vector_stores", new { name, file_ids = fileIds }, caller, cancellationToken)
            .ConfigureAwait(false);
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>Adds files to a vector store of the caller's (one batch; document-service indexes them in the background).</summary>
    public Task AddFilesAsync(string vectorStoreId, IReadOnlyList<string> fileIds, CallerIdentity caller, CancellationToken cancellationToken) =>
        SendForAttachmentsAsync(HttpMethod.Post, $"/v1/vector_stores/{Uri.EscapeDataString(vectorStoreId)}/file_batches",
            new { file_ids = fileIds }, caller, cancellationToken);

    /// <summary>document-service's refusal (an unknown file, a store gone) is the client's, named as its attachments.</summary>
    private async Task<JsonElement> SendForAttachmentsAsync(HttpMethod method, string path, object body, CallerIdentity caller, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: JsonDefaults.Options) };
        Vouch(request, caller);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (IsRefusal(response.StatusCode))
            {
                var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                throw new ApiException((int)response.StatusCode, error?.Message ?? "An attached file could not be added to the thread's vector store.",
                    "Request failed", CodeOf(response.StatusCode, error, "invalid_attachments")) { Param = "attachments" };
            }
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or NotSupportedException)
        {
            throw Unavailable();
        }
    }

    private async Task<IEnumerable<FileSearchResult>> SearchOneAsync(
        string vectorStoreId, FileSearchQuery query, CallerIdentity caller, bool skipGone, CancellationToken cancellationToken)
    {
        var body = new SearchRequest(query.Query, query.Filters, query.MaxNumResults,
            query.ScoreThreshold is null && query.Ranker is null ? null : new Ranking(query.Ranker, query.ScoreThreshold));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/vector_stores/{Uri.EscapeDataString(vectorStoreId)}/search")
        {
            Content = JsonContent.Create(body, options: JsonDefaults.Options),
        };
        Vouch(request, caller);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (skipGone && response.StatusCode is HttpStatusCode.NotFound)
            {
                return [];
            }
            if (IsRefusal(response.StatusCode))
            {
                var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                throw new ApiException((int)response.StatusCode,
                    error?.Message ?? $"No vector store found with id '{vectorStoreId}'.", "Request failed",
                    CodeOf(response.StatusCode, error, "invalid_request"));
            }
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<SearchPage>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
            return (page?.Data ?? []).Where(d => d.FileId is not null).Select(d => new FileSearchResult(
                vectorStoreId, d.FileId!, d.Filename ?? "", d.Score, d.Attributes is { ValueKind: JsonValueKind.Object } a ? a : EmptyAttributes,
                d.Content?.Where(c => c.Text is not null).Select(c => new FileSearchText(c.Type ?? "text", c.Text!)).ToList() ?? []));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or NotSupportedException)
        {
            throw Unavailable();
        }
    }

    /// <summary>Runs go on after their request, so the caller is signed in explicitly (propagation leaves it alone then).</summary>
    private void Vouch(HttpRequestMessage request, CallerIdentity caller)
    {
        if (codec.CanSign)
        {
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, codec.Issue(caller));
        }
    }

    private static ApiException Unavailable() => new(StatusCodes.Status503ServiceUnavailable,
        "File search is unavailable right now; try again shortly.", "Service unavailable", "service_unavailable");

    /// <summary>
    /// document-service refusing the request itself (a bad filter, a store gone, one outside an API key's scope): the
    /// client's mistake, relayed as it; a 403 was a 503 "unavailable" once, which SDKs retried and called an outage.
    /// </summary>
    private static bool IsRefusal(HttpStatusCode status) =>
        status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden;

    private static string CodeOf(HttpStatusCode status, ErrorBody? error, string badRequest) => status switch
    {
        HttpStatusCode.NotFound => "not_found",
        HttpStatusCode.Forbidden => error?.Code ?? "permission_denied",
        _ => badRequest,
    };

    private static async Task<ErrorBody?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync<ErrorEnvelope>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
            return error?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record SearchRequest(string Query, JsonElement? Filters, int MaxNumResults, Ranking? RankingOptions);

    private sealed record Ranking(string? Ranker, double? ScoreThreshold);

    private sealed record SearchPage(IReadOnlyList<SearchItem>? Data);

    private sealed record SearchItem(string? FileId, string? Filename, double Score, JsonElement? Attributes, IReadOnlyList<SearchItemContent>? Content);

    private sealed record SearchItemContent(string? Type, string? Text);

    private sealed record ErrorEnvelope(ErrorBody? Error);

    private sealed record ErrorBody(string? Message, string? Code);
}
