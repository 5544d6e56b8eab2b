using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Apis;

/// <summary>
/// /v1/conversations and their items in OpenAI's shapes, kept in the database only, so that any replica continues
/// any conversation; plus GET /api/conversations, the caller's conversations, which OpenAI does not offer.
/// </summary>
public static class ConversationsApi
{
    /// <summary>OpenAI's limit on the items one create call may add.</summary>
    public const int MaxItemsPerCall = 20;

    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/conversations").WithTags("Conversations");
        api.MapPost("/", CreateAsync);
        api.MapGet("/{conversation_id}", GetAsync);
        api.MapPost("/{conversation_id}", UpdateAsync);
        api.MapDelete("/{conversation_id}", DeleteAsync);
        api.MapPost("/{conversation_id}/items", CreateItemsAsync);
        api.MapGet("/{conversation_id}/items", ListItemsAsync);
        api.MapGet("/{conversation_id}/items/{item_id}", GetItemAsync);
        api.MapDelete("/{conversation_id}/items/{item_id}", DeleteItemAsync);
        app.MapGet("/api/conversations", ListMineAsync).WithTags("Conversations");
        return app;
    }

    public static async Task<Ok<ConversationObject>> CreateAsync(
        CallerIdentity caller, ChatDbContext db, ResponseCompaction compaction, CancellationToken cancellationToken, ConversationRequest? request = null)
    {
        var items = ReadItems(request?.Items, compaction, caller);
        var now = Ids.Now();
        var conversation = new ConversationEntity
        {
            Id = Ids.New("conv"),
            OwnerId = caller.UserId,
            CreatedByKeyId = caller.KeyId,
            CreatedAt = now,
            UpdatedAt = now,
            MetadataJson = Json.MetadataText(request?.Metadata),
        };
        db.Conversations.Add(conversation);
        db.ConversationItems.AddRange(Rows(conversation.Id, items));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ConversationObject.From(conversation));
    }

    public static async Task<Ok<ConversationObject>> GetAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(ConversationObject.From(await FindAsync(db, caller, conversationId, cancellationToken)));

    public static async Task<Ok<ConversationObject>> UpdateAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, ConversationRequest request, CallerIdentity caller, ChatDbContext db,
        CancellationToken cancellationToken)
    {
        if (request.Items.ValueKind != JsonValueKind.Undefined)
        {
            // OpenAI's update takes metadata only; items kept silently out would look added.
            throw RequestErrors.UnknownParameter("items", $"A conversation's update takes metadata only; add items with POST /v1/conversations/{conversationId}/items.");
        }
        var conversation = await FindAsync(db, caller, conversationId, cancellationToken, track: true);
        if (request.Metadata is not { ValueKind: JsonValueKind.Object })
        {
            throw Access.BadRequest("metadata (an object) is required.", "missing_metadata", "metadata");
        }
        conversation.MetadataJson = Json.MetadataText(request.Metadata);
        conversation.UpdatedAt = Ids.Now();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ConversationObject.From(conversation));
    }

    public static async Task<Ok<DeletedObject>> DeleteAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await FindAsync(db, caller, conversationId, cancellationToken);
        await DeleteOnce.RunAsync(db, "conversation", conversationId, ct => db.Conversations.Where(c => c.Id == conversationId).ExecuteDeleteAsync(ct),
            [ct => db.ConversationItems.Where(i => i.ConversationId == conversationId).ExecuteDeleteAsync(ct)], cancellationToken);
        return TypedResults.Ok(new DeletedObject(conversationId, "conversation.deleted", true));
    }

    public static async Task<Ok<ListResponse<JsonNode>>> CreateItemsAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, ConversationItemsRequest request, CallerIdentity caller, ChatDbContext db,
        ResponseCompaction compaction, HttpContext context, CancellationToken cancellationToken)
    {
        Includes.FromQuery(context, Includes.ResponseValues);
        var conversation = await FindAsync(db, caller, conversationId, cancellationToken, track: true);
        var items = ReadItems(request.Items, compaction, caller);
        if (items.Count == 0)
        {
            throw Access.BadRequest("items must hold at least one item.", "missing_items", "items");
        }
        db.ConversationItems.AddRange(Rows(conversationId, items));
        conversation.UpdatedAt = Ids.Now();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new ListResponse<JsonNode>([.. items], (string?)items[0]["id"], (string?)items[^1]["id"], false));
    }

    public static async Task<Ok<ListResponse<JsonNode>>> ListItemsAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options,
        HttpContext context, CancellationToken cancellationToken, int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        var include = Includes.FromQuery(context, Includes.ResponseValues);
        await FindAsync(db, caller, conversationId, cancellationToken);
        return TypedResults.Ok(await ItemPaging.PageAsync(db.ConversationItems.Where(i => i.ConversationId == conversationId),
            limit, order, after, before, options.Value.MaxListLimit, include.Contains(Includes.FileSearchResults), cancellationToken));
    }

    public static async Task<IResult> GetItemAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, [FromRoute(Name = "item_id")] string itemId, CallerIdentity caller,
        ChatDbContext db, HttpContext context, CancellationToken cancellationToken)
    {
        var include = Includes.FromQuery(context, Includes.ResponseValues);
        await FindAsync(db, caller, conversationId, cancellationToken);
        var item = await db.ConversationItems.AsNoTracking().FirstOrDefaultAsync(i => i.ConversationId == conversationId && i.Id == itemId, cancellationToken)
            ?? throw Access.NotFound("item", itemId);
        return TypedResults.Json(ResponseItems.Shown(ResponseJson.Parse(item.Json), include.Contains(Includes.FileSearchResults)));
    }

    /// <summary>As OpenAI answers it: the conversation the item was deleted from.</summary>
    public static async Task<Ok<ConversationObject>> DeleteItemAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, [FromRoute(Name = "item_id")] string itemId, CallerIdentity caller,
        ChatDbContext db, CancellationToken cancellationToken)
    {
        var conversation = await FindAsync(db, caller, conversationId, cancellationToken);
        var deleted = await db.ConversationItems.Where(i => i.ConversationId == conversationId && i.Id == itemId).ExecuteDeleteAsync(cancellationToken);
        return deleted == 1 ? TypedResults.Ok(ConversationObject.From(conversation)) : throw Access.NotFound("item", itemId);
    }

    /// <summary>The caller's conversations, newest first unless order=asc (native route: errors are ProblemDetails).</summary>
    public static async Task<Ok<ListResponse<ConversationSummary>>> ListMineAsync(
        CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null) =>
        TypedResults.Ok(await Paging.PageAsync(Access.Visible(db.Conversations, caller),
            limit, order, after, before, options.Value.MaxListLimit, ConversationSummary.From, cancellationToken));

    private static Task<ConversationEntity> FindAsync(ChatDbContext db, CallerIdentity caller, string id, CancellationToken cancellationToken, bool track = false) =>
        Access.OwnedAsync(track ? db.Conversations : db.Conversations.AsNoTracking(), caller, "conversation", id, cancellationToken);

    /// <summary>The items to add; a compaction item among them must open for the caller, so none is stored that a create would refuse.</summary>
    private static List<JsonObject> ReadItems(JsonElement? items, ResponseCompaction compaction, CallerIdentity caller)
    {
        List<JsonObject> read = items is null or { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null }
            ? []
            : ResponseItems.ReadItems(items.Value, "items", MaxItemsPerCall);
        compaction.Check(read, caller, "items");
        return read;
    }

    private static IEnumerable<ConversationItemEntity> Rows(string conversationId, List<JsonObject> items) =>
        items.Select(item => new ConversationItemEntity
        {
            Id = (string)item["id"]!, Seq = Ids.Stamp(), ConversationId = conversationId, Json = item.ToJsonString(),
        });
}
