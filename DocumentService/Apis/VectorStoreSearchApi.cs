using System.Text.Json;
using DocumentService.Model;
using DocumentService.Services.Retrieval;
using DocumentService.Services.VectorStores;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Access;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace DocumentService.Apis;

public sealed record RankingOptions(string? Ranker, double? ScoreThreshold);

/// <summary>`query` is a string or an array of strings, as OpenAI accepts both.</summary>
public sealed record VectorStoreSearchRequest(JsonElement? Query, JsonElement? Filters, int? MaxNumResults, RankingOptions? RankingOptions, bool? RewriteQuery);

public sealed record SearchContent(string Type, string Text);

public sealed record SearchResultItem(string FileId, string Filename, double Score, JsonElement Attributes, IReadOnlyList<SearchContent> Content);

public sealed record SearchResultsPage(IReadOnlyList<string> SearchQuery, IReadOnlyList<SearchResultItem> Data)
{
    public string Object => "vector_store.search_results.page";
    public bool HasMore => false;
    public string? NextPage => null;
}

/// <summary>
/// POST /v1/vector_stores/{id}/search over the same hybrid retrieval (vectors + BM25) as an assistant's documents.
/// One result per chunk, best first. `rewrite_query` is accepted and does nothing: there is no model here to rewrite
/// with, so `search_query` echoes the query as given.
/// </summary>
public static class VectorStoreSearchApi
{
    public const int MaxQueries = 10;
    private static readonly string[] Rankers = ["auto", "default-2024-11-15", "none"];

    public static IEndpointRouteBuilder MapVectorStoreSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/vector_stores/{vector_store_id}/search", SearchAsync).WithTags("Vector stores");
        return app;
    }

    public static async Task<SearchResultsPage> SearchAsync(
        [FromRoute(Name = "vector_store_id")] string vectorStoreId, VectorStoreSearchRequest request, CallerIdentity caller,
        DocumentsDbContext db, AssistantAccess access, KnowledgeSearch search, CancellationToken cancellationToken)
    {
        var queries = Queries(request.Query);
        var take = request.MaxNumResults ?? 10;
        if (take is < 1 or > 50)
        {
            throw Bad("'max_num_results' must be between 1 and 50.", "max_num_results");
        }
        var threshold = request.RankingOptions?.ScoreThreshold ?? 0;
        if (threshold is < 0 or > 1)
        {
            throw Bad("'ranking_options.score_threshold' must be between 0 and 1.", "ranking_options");
        }
        if (request.RankingOptions?.Ranker is { } ranker && !Rankers.Contains(ranker))
        {
            throw Bad($"'ranking_options.ranker' must be one of: {string.Join(", ", Rankers)}.", "ranking_options");
        }
        var filter = request.Filters is { ValueKind: not JsonValueKind.Null } f ? AttributeFilter.Parse(f) : null;

        var store = await VectorStoreRef.FindAsync(vectorStoreId, caller, db, access, cancellationToken);
        if (VectorStoresApi.IsExpired(store.Row, TimeProvider.System))
        {
            throw Bad($"Vector store '{vectorStoreId}' has expired.", "vector_store");
        }
        var attributes = await VectorStoreFiles.AttributesAsync(db, store.Key, cancellationToken);
        Func<string, bool>? include = filter is null
            ? id => attributes.ContainsKey(id)
            : id => attributes.TryGetValue(id, out var a) && filter(a);
        var hits = await search.SearchAsync(store.Key, queries, take, 0, include, cancellationToken);
        if (store.Row is not null)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await db.VectorStores.Where(v => v.Id == store.Id).ExecuteUpdateAsync(u => u.SetProperty(v => v.LastActiveAt, now), cancellationToken);
        }
        var data = hits.Where(h => h.Score >= threshold)
            .Select(h => new SearchResultItem(h.DocumentId, h.Filename, h.Score, AttributesJson.ToElement(attributes.GetValueOrDefault(h.DocumentId)),
                [new SearchContent("text", h.Text)]))
            .ToList();
        return new SearchResultsPage(queries, data);
    }

    private static List<string> Queries(JsonElement? query)
    {
        var queries = EmbeddingsApi.StringOrStrings(query) ?? throw Bad("'query' must be a string or an array of strings.", "query");
        if (queries.Count is 0 or > MaxQueries || queries.Any(q => string.IsNullOrWhiteSpace(q) || q.Length > KnowledgeApi.MaxQueryLength))
        {
            throw Bad($"'query' needs 1 to {MaxQueries} non-empty queries of at most {KnowledgeApi.MaxQueryLength} characters.", "query");
        }
        return queries;
    }

    private static ApiException Bad(string message, string param) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_" + param) { Param = param };
}
