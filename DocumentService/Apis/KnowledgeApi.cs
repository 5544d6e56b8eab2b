using System.ComponentModel.DataAnnotations;
using DocumentService.Model;
using DocumentService.Services;
using DocumentService.Services.Retrieval;
using DocumentService.Services.VectorStores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Access;

namespace DocumentService.Apis;

public sealed record SearchRequest(string? AssistantId, string? Query, int? TopK);

public sealed record SearchResponse(IReadOnlyList<SearchHit> Data);

public sealed record Instruction(string DocumentId, string Filename, string Text);

public sealed record KnowledgeResponse(string AssistantId, string Version, IReadOnlyList<Instruction> Instructions);

/// <summary>What the chat service reads every turn (docs/contracts.md): passages and the assistant's knowledge.</summary>
public static class KnowledgeApi
{
    public const int DefaultTopK = 5;
    public const int MaxQueryLength = ServiceDefaults.Discovery.SiblingLimits.MaxSearchQueryLength;

    public static IEndpointRouteBuilder MapKnowledgeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/documents/search", SearchAsync).WithTags("Documents");
        app.MapGet("/api/assistants/{assistant_id}/knowledge", GetKnowledgeAsync).WithTags("Documents");
        // Internal (the gateway does not route it): chat-service calls it before it deletes the assistant.
        app.MapDelete("/api/assistants/{assistant_id}/documents", DeleteAssistantAsync).WithTags("Documents");
        return app;
    }

    public static async Task<Results<Ok<SearchResponse>, ValidationProblem>> SearchAsync(
        SearchRequest request, CallerIdentity caller, AssistantAccess access, KnowledgeSearch search,
        IOptions<DocumentsOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.AssistantId))
        {
            errors["assistant_id"] = ["assistant_id is required."];
        }
        if (string.IsNullOrWhiteSpace(request.Query) || request.Query.Length > MaxQueryLength)
        {
            errors["query"] = [$"query is required and at most {MaxQueryLength} characters."];
        }
        var topK = request.TopK ?? DefaultTopK;
        if (topK < 1 || topK > options.Value.MaxTopK)
        {
            errors["top_k"] = [$"top_k must be between 1 and {options.Value.MaxTopK}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await access.EnsureAsync(caller, request.AssistantId!, cancellationToken);
        var hits = await search.SearchAsync(request.AssistantId!, request.Query!, topK, cancellationToken);
        return TypedResults.Ok(new SearchResponse(hits));
    }

    public static async Task<KnowledgeResponse> GetKnowledgeAsync(
        [Required] string assistant_id, CallerIdentity caller, AssistantAccess access, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        // The version must name exactly the instructions returned with it. A read transaction would do, but on
        // SQLite it takes the write lock; reading the version before and after and retrying on a change does not.
        while (true)
        {
            var version = await KnowledgeVersions.ReadAsync(db, assistant_id, cancellationToken);
            var instructions = await db.Documents.AsNoTracking()
                .Where(d => d.AssistantId == assistant_id && d.Kind == DocumentKinds.Prompt)
                .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
                .Select(d => new Instruction(d.Id, d.Filename, d.Text ?? ""))
                .ToListAsync(cancellationToken);
            if (version == await KnowledgeVersions.ReadAsync(db, assistant_id, cancellationToken))
            {
                return new KnowledgeResponse(assistant_id, version.ToString(System.Globalization.CultureInfo.InvariantCulture), instructions);
            }
        }
    }

    /// <summary>Everything held for an assistant that chat-service is deleting; repeatable.</summary>
    public static async Task<NoContent> DeleteAssistantAsync(
        [Required] string assistant_id, CallerIdentity caller, AssistantAccess access, DocumentStore store, CancellationToken cancellationToken)
    {
        await access.EnsureAsync(caller, assistant_id, cancellationToken);
        await store.DeleteAssistantAsync(assistant_id, VectorStoreRef.ForAssistant(assistant_id), cancellationToken);
        access.Forget(assistant_id);
        return TypedResults.NoContent();
    }
}
