using System.Text.Json;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Identity;

namespace ChatService.Apis;

/// <summary>/v1/threads and their messages, in OpenAI's shapes, plus the list of the caller's threads.</summary>
public static class ThreadsApi
{
    private const int MaxMessageChars = 256_000;

    public static IEndpointRouteBuilder MapThreadsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/threads").WithTags("Threads");
        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{thread_id}", GetAsync);
        api.MapPost("/{thread_id}", ModifyAsync);
        api.MapDelete("/{thread_id}", DeleteAsync);
        api.MapPost("/{thread_id}/messages", CreateMessageAsync);
        api.MapGet("/{thread_id}/messages", ListMessagesAsync);
        api.MapGet("/{thread_id}/messages/{message_id}", GetMessageAsync);
        api.MapPost("/{thread_id}/messages/{message_id}", ModifyMessageAsync);
        api.MapDelete("/{thread_id}/messages/{message_id}", DeleteMessageAsync);
        return app;
    }

    public static async Task<Ok<ThreadObject>> CreateAsync(
        CallerIdentity caller, ChatDbContext db, FileSearchClient files, CancellationToken cancellationToken, ThreadRequest? request = null)
    {
        var thread = new ThreadEntity
        {
            Id = Ids.New("thread"),
            OwnerId = caller.UserId,
            CreatedByKeyId = caller.KeyId,
            CreatedAt = Ids.Now(),
            MetadataJson = Json.MetadataText(request?.Metadata),
            ToolResourcesJson = await ToolResources.ReadAsync(request?.ToolResources, null, files, caller, cancellationToken) ?? "{}",
        };
        db.Threads.Add(thread);
        var messages = (request?.Messages ?? []).Select(m => NewMessage(thread.Id, m)).ToList();
        db.Messages.AddRange(messages);
        await MessageAttachments.AddToThreadStoreAsync(thread, messages, files, caller, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ThreadObject.From(thread));
    }

    public static async Task<Ok<ListResponse<ThreadObject>>> ListAsync(
        CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null) =>
        TypedResults.Ok(await Paging.PageAsync(Access.VisibleThreads(db, caller),
            limit, order, after, before, options.Value.MaxListLimit, ThreadObject.From, cancellationToken));

    public static async Task<Ok<ThreadObject>> GetAsync(
        [FromRoute(Name = "thread_id")] string threadId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(ThreadObject.From(await Access.ThreadAsync(db, caller, threadId, cancellationToken)));

    public static async Task<Ok<ThreadObject>> ModifyAsync(
        [FromRoute(Name = "thread_id")] string threadId, ThreadRequest request, CallerIdentity caller, ChatDbContext db, FileSearchClient files,
        CancellationToken cancellationToken)
    {
        var thread = await Access.ThreadAsync(db, caller, threadId, cancellationToken, track: true);
        if (request.Metadata is not null)
        {
            thread.MetadataJson = Json.MetadataText(request.Metadata);
        }
        if (await ToolResources.ReadAsync(request.ToolResources, null, files, caller, cancellationToken) is { } resources)
        {
            thread.ToolResourcesJson = resources;
        }
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ThreadObject.From(thread));
    }

    public static async Task<Ok<DeletedObject>> DeleteAsync(
        [FromRoute(Name = "thread_id")] string threadId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        // A channel's chat is its thread seen from the channel: it goes with it, and the channel's next message starts a
        // new one (a chat left naming a deleted thread failed every later message).
        await DeleteOnce.RunAsync(db, "thread", threadId, ct => db.Threads.Where(t => t.Id == threadId).ExecuteDeleteAsync(ct),
            [
                ct => db.Messages.Where(m => m.ThreadId == threadId).ExecuteDeleteAsync(ct),
                ct => db.Runs.Where(r => r.ThreadId == threadId).ExecuteDeleteAsync(ct),
                ct => db.RunSteps.Where(s => s.ThreadId == threadId).ExecuteDeleteAsync(ct),
                ct => db.ChatEntries.Where(e => db.Chats.Any(c => c.Id == e.ChatId && c.ThreadId == threadId)).ExecuteDeleteAsync(ct),
                ct => db.Chats.Where(c => c.ThreadId == threadId).ExecuteDeleteAsync(ct),
            ], cancellationToken);
        return TypedResults.Ok(new DeletedObject(threadId, "thread.deleted", true));
    }

    public static async Task<Ok<MessageObject>> CreateMessageAsync(
        [FromRoute(Name = "thread_id")] string threadId, MessageRequest request, CallerIdentity caller, ChatDbContext db, FileSearchClient files,
        ThreadTurns turns, CancellationToken cancellationToken)
    {
        var thread = await Access.ThreadAsync(db, caller, threadId, cancellationToken, track: true);
        // Under the thread's lock, so a run starting at the same moment either sees this message or refuses it.
        await using var threadLock = await ThreadLock.TakeAsync(db, thread, cancellationToken);
        if (await RunExpiry.ActiveRunAsync(db, threadId, cancellationToken) is { } active)
        {
            throw Access.BadRequest($"Can't add messages to {threadId} while a run {active} is active.", "thread_busy");
        }
        if (await turns.AnsweringAsync(db, threadId, cancellationToken))
        {
            throw Access.BadRequest($"Can't add messages to {threadId} while a channel message on it is being answered.", "thread_busy");
        }
        var message = NewMessage(threadId, request);
        db.Messages.Add(message);
        await MessageAttachments.AddToThreadStoreAsync(thread, [message], files, caller, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await threadLock.CommitAsync(cancellationToken);
        return TypedResults.Ok(MessageObject.From(message));
    }

    public static async Task<Ok<ListResponse<MessageObject>>> ListMessagesAsync(
        [FromRoute(Name = "thread_id")] string threadId, CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "run_id")] string? runId = null)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        var query = db.Messages.Where(m => m.ThreadId == threadId);
        if (!string.IsNullOrEmpty(runId))
        {
            query = query.Where(m => m.RunId == runId);
        }
        return TypedResults.Ok(await Paging.PageAsync(query, limit, order, after, before, options.Value.MaxListLimit, MessageObject.From, cancellationToken));
    }

    public static async Task<Ok<MessageObject>> GetMessageAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "message_id")] string messageId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == messageId && m.ThreadId == threadId, cancellationToken)
            ?? throw Access.NotFound("message", messageId);
        return TypedResults.Ok(MessageObject.From(message));
    }

    public static async Task<Ok<MessageObject>> ModifyMessageAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "message_id")] string messageId, MessageUpdateRequest request, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        var message = await db.Messages.FirstOrDefaultAsync(m => m.Id == messageId && m.ThreadId == threadId, cancellationToken)
            ?? throw Access.NotFound("message", messageId);
        if (request.Metadata is not null)
        {
            message.MetadataJson = Json.MetadataText(request.Metadata);
        }
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(MessageObject.From(message));
    }

    public static async Task<Ok<DeletedObject>> DeleteMessageAsync(
        [FromRoute(Name = "thread_id")] string threadId, [FromRoute(Name = "message_id")] string messageId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        await Access.ThreadAsync(db, caller, threadId, cancellationToken);
        var deleted = await db.Messages.Where(m => m.Id == messageId && m.ThreadId == threadId).ExecuteDeleteAsync(cancellationToken);
        return deleted == 1
            ? TypedResults.Ok(new DeletedObject(messageId, "thread.message.deleted", true))
            : throw Access.NotFound("message", messageId);
    }

    /// <summary>A user (or assistant) message as a client adds it; content is a string or text parts.</summary>
    public static MessageEntity NewMessage(string threadId, MessageRequest? request)
    {
        if (request is null)
        {
            throw Access.BadRequest("A message may not be null.", "invalid_message", "messages");
        }
        var role = request.Role ?? "user";
        if (role is not ("user" or "assistant"))
        {
            throw Access.BadRequest("role must be 'user' or 'assistant'.", "invalid_role", "role");
        }
        var text = Json.TextOf(request.Content);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Access.BadRequest("content must be a non-empty string or an array of text parts.", "invalid_content", "content");
        }
        if (text.Length > MaxMessageChars)
        {
            throw Access.BadRequest($"content may be at most {MaxMessageChars} characters.", "content_too_long", "content");
        }
        return new MessageEntity
        {
            Id = Ids.New("msg"),
            ThreadId = threadId,
            CreatedAt = Ids.Now(),
            Role = role,
            Content = text,
            CompletedAt = Ids.Now(),
            MetadataJson = Json.MetadataText(request.Metadata),
            AttachmentsJson = MessageAttachments.Read(request.Attachments),
        };
    }
}
