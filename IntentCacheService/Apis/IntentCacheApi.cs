using IntentCacheService.Model;
using IntentCacheService.Services;
using IntentCacheService.Services.Cache;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Access;

namespace IntentCacheService.Apis;

/// <summary>
/// The answer cache: lookup and store for chat-service (docs/contracts.md), and stats, feedback and flush for owners.
/// </summary>
public static class IntentCacheApi
{
    public static IEndpointRouteBuilder MapIntentCacheApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/intent-cache").WithTags("Intent cache");
        api.MapPost("/lookup", LookupAsync);
        api.MapPost("/store", StoreAsync);
        api.MapPost("/hits", CountHitsAsync);
        api.MapGet("/stats", StatsAsync);
        api.MapPost("/feedback", FeedbackAsync);
        // Constrained to assistant ids so a wrong method on /stats or /feedback is a 405, not "no assistant 'stats'".
        api.MapDelete("/{assistant_id:regex(^asst_)}", FlushAsync);
        // Internal (the gateway shuts it from outside): chat-service calls it before it deletes the assistant.
        api.MapDelete("/assistants/{assistant_id}", DeleteAssistantAsync);
        return app;
    }

    public static async Task<Ok<LookupResponse>> LookupAsync(
        LookupRequest request, CallerIdentity caller, AnswerCache cache, CancellationToken cancellationToken) =>
        TypedResults.Ok(await cache.LookupAsync(caller, request, cancellationToken));

    public static async Task<NoContent> StoreAsync(
        StoreRequest request, CallerIdentity caller, AnswerCache cache, CancellationToken cancellationToken)
    {
        await cache.StoreAsync(caller, request, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Exact repeats chat-service answered from its copy of served answers: lookups that hit, counted late.</summary>
    public static async Task<NoContent> CountHitsAsync(
        HitsRequest request, CallerIdentity caller, AssistantAccess access, CacheStatistics statistics, CancellationToken cancellationToken)
    {
        if (!IntentRules.IsSafeName(request.AssistantId) || request.Hits is < 1 or > MaxReportedHits)
        {
            throw new ApiException(StatusCodes.Status400BadRequest,
                $"assistant_id is required and hits must be from 1 to {MaxReportedHits}.", "Bad request", "invalid_request");
        }
        await access.EnsureAsync(caller, request.AssistantId!, cancellationToken);
        statistics.Count(caller.UserId, request.AssistantId!, CacheStatistics.Lookups, request.Hits);
        statistics.Count(caller.UserId, request.AssistantId!, CacheStatistics.Hits, request.Hits);
        return TypedResults.NoContent();
    }

    // A bound on one report, far above a second's worth of hits on one instance.
    private const long MaxReportedHits = 100_000_000;

    public static async Task<Ok<FeedbackResponse>> FeedbackAsync(
        FeedbackRequest request, CallerIdentity caller, AnswerCache cache, CancellationToken cancellationToken) =>
        TypedResults.Ok(await cache.ReportWrongAsync(caller, request, cancellationToken));

    public static async Task<NoContent> FlushAsync(
        string assistant_id, CallerIdentity caller, AssistantAccess access, AnswerCache cache, CancellationToken cancellationToken)
    {
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        await cache.InvalidateAsync(assistant_id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Removes the assistant's intents, cached answers and statistics; repeatable.</summary>
    public static async Task<NoContent> DeleteAssistantAsync(
        string assistant_id, CallerIdentity caller, AssistantAccess access, IntentCatalog catalog, AnswerCache cache,
        CancellationToken cancellationToken)
    {
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        await catalog.DeleteAsync(assistant_id, cancellationToken);
        await cache.PurgeAsync(assistant_id, caller.UserId, cancellationToken);
        access.Forget(assistant_id);
        return TypedResults.NoContent();
    }

    /// <summary>The caller's assistants that have intents (or the one named by ?assistant_id=), with totals.</summary>
    public static async Task<Ok<CacheStatsResponse>> StatsAsync(
        string? assistant_id, CallerIdentity caller, AssistantAccess access, IntentCatalog catalog, CacheStatistics statistics,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<string> assistants;
        if (assistant_id is not null)
        {
            await access.EnsureAsync(caller, assistant_id, cancellationToken);
            assistants = [assistant_id];
        }
        else
        {
            assistants = (await catalog.AssistantsOfAsync(caller.UserId, cancellationToken)).Where(caller.CanUseAssistant).ToList();
        }
        var data = new List<AssistantCacheStats>();
        foreach (var assistant in assistants)
        {
            data.Add(await statistics.ReadAsync(caller.UserId, assistant, cancellationToken));
        }
        var lookups = data.Sum(d => d.Lookups);
        var hits = data.Sum(d => d.Hits);
        var falseHits = data.Sum(d => d.FalseHitsReported);
        var totals = new CacheTotals(
            lookups, hits, data.Sum(d => d.Misses), data.Sum(d => d.Stores), CacheStatistics.Rate(hits, lookups), falseHits,
            CacheStatistics.Rate(falseHits, hits));
        return TypedResults.Ok(new CacheStatsResponse(data, totals));
    }
}
