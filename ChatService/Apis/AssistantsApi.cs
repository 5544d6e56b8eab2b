using System.Text.Json;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ServiceDefaults.Caching;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Apis;

/// <summary>/v1/assistants in OpenAI's shapes. An assistant belongs to the user who created it.</summary>
public static class AssistantsApi
{
    public const string AssistantChangedChannel = "assistant-changed";

    public static IEndpointRouteBuilder MapAssistantsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/assistants").WithTags("Assistants");
        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{assistant_id}", GetAsync);
        api.MapPost("/{assistant_id}", ModifyAsync);
        api.MapDelete("/{assistant_id}", DeleteAsync);
        return app;
    }

    public static async Task<Ok<AssistantObject>> CreateAsync(
        AssistantRequest request, CallerIdentity caller, ChatDbContext db, FileSearchClient files, IChatClient model, IOptions<ChatServiceOptions> options,
        CancellationToken cancellationToken)
    {
        if (caller.Assistants is not null)
        {
            throw new ApiException(StatusCodes.Status403Forbidden,
                "An API key scoped to assistants cannot create assistants; sign in as the user.", "Forbidden", "permission_denied");
        }
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Access.BadRequest("model is required.", "missing_model", "model");
        }
        var most = options.Value.MaxAssistantsPerUser;
        if (await db.Assistants.CountAsync(a => a.OwnerId == caller.UserId, cancellationToken) >= most)
        {
            throw new ApiException(StatusCodes.Status403Forbidden,
                $"An account has at most {most} assistants; delete one it no longer needs first.", "Forbidden", "assistant_limit_reached");
        }
        var assistant = new AssistantEntity
        {
            Id = Ids.New("asst"),
            OwnerId = caller.UserId,
            CreatedAt = Ids.Now(),
            Model = request.Model,
        };
        await ApplyAsync(assistant, request, files, model, caller, options.Value, cancellationToken);
        db.Assistants.Add(assistant);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(AssistantObject.From(assistant));
    }

    public static async Task<Ok<ListResponse<AssistantObject>>> ListAsync(
        CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        var query = db.Assistants.Where(a => a.OwnerId == caller.UserId);
        if (caller.Assistants is { } allowed)
        {
            var ids = allowed.ToList();
            query = query.Where(a => ids.Contains(a.Id));
        }
        return TypedResults.Ok(await Paging.PageAsync(query, limit, order, after, before, options.Value.MaxListLimit, AssistantObject.From, cancellationToken));
    }

    public static async Task<Ok<AssistantObject>> GetAsync(
        [FromRoute(Name = "assistant_id")] string assistantId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(AssistantObject.From(await Access.AssistantAsync(db, caller, assistantId, cancellationToken)));

    public static async Task<Ok<AssistantObject>> ModifyAsync(
        [FromRoute(Name = "assistant_id")] string assistantId, AssistantRequest request, CallerIdentity caller, ChatDbContext db, IMessageBus bus, CachedAnswers answers,
        FileSearchClient files, IChatClient model, IOptions<ChatServiceOptions> options, CancellationToken cancellationToken)
    {
        await Access.AssistantAsync(db, caller, assistantId, cancellationToken);
        var assistant = await db.Assistants.FirstAsync(a => a.Id == assistantId, cancellationToken);
        if (request.Model is { } name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw Access.BadRequest("model may not be empty.", "invalid_model", "model");
            }
            assistant.Model = name;
        }
        await ApplyAsync(assistant, request, files, model, caller, options.Value, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await PublishChangedAsync(bus, answers, assistantId, cancellationToken);
        return TypedResults.Ok(AssistantObject.From(assistant));
    }

    public static async Task<Ok<DeletedObject>> DeleteAsync(
        [FromRoute(Name = "assistant_id")] string assistantId, CallerIdentity caller, ChatDbContext db, IMessageBus bus, CachedAnswers answers,
        KnowledgeClient knowledge, IntentCacheClient intents, IConfiguration configuration, CancellationToken cancellationToken)
    {
        await Access.AssistantAsync(db, caller, assistantId, cancellationToken);
        // Siblings first, while they can still check the assistant with us; if one fails the row stays and the
        // delete can be repeated (each sibling's part is idempotent).
        await Task.WhenAll(
            SiblingCleanup.IsDeployed(configuration, KnowledgeClient.Sibling)
                ? knowledge.DeleteAssistantAsync(assistantId, caller, cancellationToken) : Task.CompletedTask,
            SiblingCleanup.IsDeployed(configuration, IntentCacheClient.Sibling)
                ? intents.DeleteAssistantAsync(assistantId, caller, cancellationToken) : Task.CompletedTask);
        // Threads, messages and runs stay: they belong to the user, as with OpenAI. Its channels' chats go: they are
        // the assistant's channels, which no message can reach any more. Of deletes racing, the row lets one through and
        // the others are 404 (another request deleted it meanwhile and answers for it).
        await DeleteOnce.RunAsync(db, "assistant", assistantId, ct => db.Assistants.Where(a => a.Id == assistantId).ExecuteDeleteAsync(ct),
            [
                ct => db.ChatEntries.Where(e => db.Chats.Any(c => c.Id == e.ChatId && c.AssistantId == assistantId)).ExecuteDeleteAsync(ct),
                ct => db.Chats.Where(c => c.AssistantId == assistantId).ExecuteDeleteAsync(ct),
            ], cancellationToken);
        await PublishChangedAsync(bus, answers, assistantId, cancellationToken);
        return TypedResults.Ok(new DeletedObject(assistantId, "assistant.deleted", true));
    }

    private static async Task ApplyAsync(
        AssistantEntity assistant, AssistantRequest request, FileSearchClient files, IChatClient model, CallerIdentity caller, ChatServiceOptions options,
        CancellationToken cancellationToken)
    {
        if (request.Name is not null)
        {
            assistant.Name = Limit(request.Name, 256, "name");
        }
        if (request.Description is not null)
        {
            assistant.Description = Limit(request.Description, 512, "description");
        }
        if (request.Instructions is not null)
        {
            assistant.Instructions = Limit(request.Instructions, 256_000, "instructions");
        }
        Access.CheckSampling(request.Temperature, request.TopP);
        if (request.Temperature is { } temperature)
        {
            assistant.Temperature = temperature;
        }
        if (request.TopP is { } topP)
        {
            assistant.TopP = topP;
        }
        if (request.ResponseFormat is { } responseFormat)
        {
            // "auto" clears it, as OpenAI's default.
            assistant.ResponseFormatJson = OutputShape.Keep(responseFormat);
        }
        if (ModelControls.Read(request.ReasoningEffort, null) is { } controls)
        {
            controls.CheckAnswerable(model);
            assistant.ReasoningEffort = controls.ReasoningEffort;
        }
        if (request.Metadata is { } metadata)
        {
            assistant.MetadataJson = Json.MetadataText(metadata);
        }
        if (request.Tools is { ValueKind: not JsonValueKind.Null } tools)
        {
            assistant.ToolsJson = RunTools.Validate(tools, options.Passages);
        }
        if (await ToolResources.ReadAsync(request.ToolResources, ToolResources.OwnStore(assistant.Id), files, caller, cancellationToken) is { } resources)
        {
            assistant.ToolResourcesJson = resources;
        }
    }

    private static string Limit(string value, int max, string field) =>
        value.Length <= max ? value : throw Access.BadRequest($"{field} may be at most {max} characters.", $"invalid_{field}", field);

    private static Task PublishChangedAsync(IMessageBus bus, CachedAnswers answers, string assistantId, CancellationToken cancellationToken)
    {
        answers.Forget(assistantId); // At once here; other instances hear the announcement.
        // A cache that misses the announcement still keys its entries by knowledge version.
        return bus.AnnounceAsync(AssistantChangedChannel, JsonSerializer.Serialize(new { assistant_id = assistantId }), static _ => { }, cancellationToken);
    }
}
