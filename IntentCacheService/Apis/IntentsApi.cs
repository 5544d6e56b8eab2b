using IntentCacheService.Model;
using IntentCacheService.Services;
using IntentCacheService.Services.Cache;
using IntentCacheService.Services.Classification;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Access;

namespace IntentCacheService.Apis;

/// <summary>
/// An assistant's intents: define them (PUT), read them with training statistics (GET), try them (classify), remove
/// them (DELETE).
/// </summary>
public static class IntentsApi
{
    public static IEndpointRouteBuilder MapIntentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/intents").WithTags("Intents");
        api.MapPut("/{assistant_id}", PutAsync);
        api.MapGet("/{assistant_id}", GetAsync);
        api.MapDelete("/{assistant_id}", DeleteAsync);
        api.MapPost("/{assistant_id}/classify", ClassifyAsync);
        return app;
    }

    public static async Task<Ok<IntentSetResponse>> PutAsync(
        string assistant_id, PutIntentsRequest request, CallerIdentity caller, AssistantAccess access, IntentCatalog catalog,
        AnswerCache cache, IIntentClassifier classifier, CancellationToken cancellationToken)
    {
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        var set = await catalog.SaveAsync(assistant_id, caller.UserId, request, cancellationToken);
        // Answers cached under the old intents may now sit under the wrong name.
        await cache.InvalidateAsync(assistant_id, cancellationToken);
        return TypedResults.Ok(Describe(set, classifier));
    }

    public static async Task<Results<Ok<IntentSetResponse>, ProblemHttpResult>> GetAsync(
        string assistant_id, CallerIdentity caller, AssistantAccess access, IntentCatalog catalog, IIntentClassifier classifier,
        CancellationToken cancellationToken)
    {
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        var set = await catalog.GetAsync(assistant_id, cancellationToken);
        return set is null ? NoIntents(assistant_id) : TypedResults.Ok(Describe(set, classifier));
    }

    /// <summary>
    /// Removes the set, in every instance: classification and fixed answers stop, and the answers cached under its
    /// intents are flushed, so a set defined again starts without them (at revision 1). 404 when there is no set.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string assistant_id, CallerIdentity caller, AssistantAccess access, IntentCatalog catalog, AnswerCache cache,
        CancellationToken cancellationToken)
    {
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        if (!await catalog.DeleteAsync(assistant_id, cancellationToken))
        {
            return NoIntents(assistant_id);
        }
        await cache.InvalidateAsync(assistant_id, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<ClassifyResponse>, ProblemHttpResult>> ClassifyAsync(
        string assistant_id, ClassifyRequest request, CallerIdentity caller, AssistantAccess access, IntentCatalog catalog,
        AnswerCache cache, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > IntentRules.MaxTextLength)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"text is required and at most {IntentRules.MaxTextLength} characters.", "Bad request", "invalid_request");
        }
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        var set = await catalog.GetAsync(assistant_id, cancellationToken);
        if (set is null)
        {
            return NoIntents(assistant_id);
        }
        var result = await cache.ClassifyAsync(set, request.Text, cancellationToken);
        return TypedResults.Ok(new ClassifyResponse(
            result.Intent, result.Confidence, result.OutOfScope, set.Threshold,
            result.Alternatives.Select(a => new ScoredIntent(a.Intent, a.Confidence)).ToList()));
    }

    private static ProblemHttpResult NoIntents(string assistantId) =>
        // Its own code: an assistant without intents is not an assistant that is not there (assistant_not_found).
        TypedResults.Problem($"Assistant '{assistantId}' has no intents yet.", statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["code"] = "no_intents" });

    private static IntentSetResponse Describe(TrainedIntentSet set, IIntentClassifier classifier) => new(
        set.AssistantId, set.Threshold, set.ThresholdIsDefault, set.Revision, set.Intents,
        new TrainingStatistics(
            set.Model.IntentCount, set.Model.ExampleCount, set.EmbeddingModel, Math.Round(set.LeaveOneOutAccuracy, 4),
            classifier.Name, set.UpdatedAt));
}
