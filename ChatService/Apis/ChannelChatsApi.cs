using System.Globalization;
using System.Text;
using ChatService.Model;
using ChatService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Identity;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Apis;

/// <summary>
/// Native routes of the seed bots: channel chats (one thread per assistant and channel id; an inactive chat
/// records messages without answering, because a person has taken over) and /api/ask, text in and text out.
/// </summary>
public static class ChannelChatsApi
{
    private const int MaxMessageChars = 32_000;

    public static IEndpointRouteBuilder MapChannelChatsApi(this IEndpointRouteBuilder app)
    {
        var chats = app.MapGroup("/api/chats").WithTags("Channel chats");
        chats.MapPost("/messages", PostMessageAsync);
        chats.MapGet("/", ListAsync);
        // Ids are constrained to their prefix so a wrong method on /messages is a 405, not "no chat 'messages'".
        chats.MapGet("/{chat_id:regex(^chat_)}", GetAsync);
        chats.MapPost("/{chat_id:regex(^chat_)}/activate", ([FromRoute(Name = "chat_id")] string chatId, CallerIdentity caller, ChatDbContext db, CancellationToken ct) =>
            SetActiveAsync(chatId, true, caller, db, ct));
        chats.MapPost("/{chat_id:regex(^chat_)}/deactivate", ([FromRoute(Name = "chat_id")] string chatId, CallerIdentity caller, ChatDbContext db, CancellationToken ct) =>
            SetActiveAsync(chatId, false, caller, db, ct));
        app.MapPost("/api/ask", AskAsync).WithTags("Ask").Accepts<string>("text/plain").Produces<string>(200, "text/plain");
        return app;
    }

    public static async Task<Ok<ChannelMessageResponse>> PostMessageAsync(
        ChannelMessageRequest request, CallerIdentity caller, ChatDbContext db, ChannelChats channels, ChatEngine engine,
        ThreadContext threadContext, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Channel?.Id) || string.IsNullOrWhiteSpace(request.Channel.Service))
        {
            throw Access.BadRequest("channel.id and channel.service are required.", "missing_channel", "channel");
        }
        if (string.IsNullOrWhiteSpace(request.Message))
        {
            throw Access.BadRequest("message is required.", "missing_message", "message");
        }
        if (request.Message.Length > MaxMessageChars || request.Channel.Id.Length > 256 || request.Channel.Service.Length > 64
            || request.Username?.Length > 256)
        {
            throw Access.BadRequest("message, channel or username is too long.", "too_long");
        }
        var assistant = await Access.AssistantAsync(db, caller, ResolveAssistantId(request.AssistantId, caller), cancellationToken);
        // The thread's lock is held only while the question is stored; the thread's turn (across replicas) lasts until
        // the answer is stored, so a channel's messages are answered in turn. A message that gets no answer (a busy
        // thread, a spent budget, a failed model, a cancelled request) is taken back whole, so a client retrying it does
        // not ask it twice.
        await using var open = await channels.OpenAsync(assistant, caller.UserId, request.Channel.Id, request.Channel.Service, request.Username, cancellationToken);
        var asked = new Asked();
        try
        {
            return await AnswerAsync(open, asked, request, request.Message, assistant, caller, db, engine, threadContext, context, cancellationToken);
        }
        catch when (!asked.Answered)
        {
            await channels.WithdrawAsync(open, asked.Entry, asked.Question);
            throw;
        }
    }

    private static async Task<Ok<ChannelMessageResponse>> AnswerAsync(
        ChannelTurn open, Asked asked, ChannelMessageRequest request, string message, AssistantEntity assistant, CallerIdentity caller,
        ChatDbContext db, ChatEngine engine, ThreadContext threadContext, HttpContext context, CancellationToken cancellationToken)
    {
        var chat = open.Chat;
        if (await RunExpiry.ActiveRunAsync(db, chat.ThreadId, cancellationToken) is { } active)
        {
            throw Access.BadRequest($"Can't add messages to {chat.ThreadId} while a run {active} is active.", "thread_busy");
        }

        var now = Ids.Now();
        var entry = new ChatEntryEntity
        {
            Id = Ids.New("entry"),
            ChatId = chat.Id,
            Username = request.Username,
            Message = message,
            Active = chat.Active,
            CreatedAt = now,
        };
        var question = new MessageEntity
        {
            Id = Ids.New("msg"), ThreadId = chat.ThreadId, CreatedAt = now, Role = "user", Content = message, CompletedAt = now,
        };
        db.Messages.Add(question);
        chat.UpdatedAt = now;
        if (request.Username is not null)
        {
            chat.Username = request.Username;
        }
        db.ChatEntries.Add(entry);
        (asked.Entry, asked.Question) = (entry, question);
        await db.SaveChangesAsync(cancellationToken);
        await open.Lock.CommitAsync(cancellationToken);

        if (!chat.Active)
        {
            context.Response.Headers["X-Usage-Tokens"] = "0,0";
            return TypedResults.Ok(new ChannelMessageResponse(chat.Id, chat.ThreadId, assistant.Id, false, null, false, false, new UsageObject(0, 0, 0)));
        }

        // No transaction is open from here until the answer is stored: the model may take many seconds.
        // The thread's owner may delete it (and the chat with it) once the question is stored.
        var thread = await db.Threads.FirstOrDefaultAsync(t => t.Id == chat.ThreadId, cancellationToken)
            ?? throw Access.NotFound("thread", chat.ThreadId);
        var snapshot = await engine.GetKnowledgeAsync(assistant, caller, cancellationToken);
        var turns = await threadContext.TurnsAsync(thread, assistant, snapshot, cancellationToken);
        var turn = await engine.StartAsync(
            new TurnInput(caller, assistant, assistant.Model, assistant.Instructions, null, turns, assistant.Temperature, assistant.TopP),
            snapshot, cancellationToken);
        await turn.CompleteAsync(cancellationToken);

        var answeredAt = Ids.Now();
        var answer = new MessageEntity
        {
            Id = Ids.New("msg"), ThreadId = chat.ThreadId, CreatedAt = answeredAt, Role = "assistant", Content = turn.Text,
            AssistantId = assistant.Id, CompletedAt = answeredAt,
        };
        if (turn.Cut)
        {
            // Stored as a run's cut answer is: incomplete, and still part of the thread's context.
            answer.MarkIncomplete("max_tokens", answeredAt);
        }
        db.Messages.Add(answer);
        // The entry keeps the reply as the channel got it, so a person taking over sees the note too.
        var reply = Reply(turn);
        entry.Response = reply;
        entry.TokensIn = turn.PromptTokens;
        entry.TokensOut = turn.CompletionTokens;
        entry.Cached = turn.Cached;
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The chat's entry went with its thread while the model answered: there is nowhere to keep the answer.
            throw Access.NotFound("thread", chat.ThreadId);
        }
        asked.Answered = true;

        SetUsageHeaders(context, turn);
        return TypedResults.Ok(new ChannelMessageResponse(chat.Id, chat.ThreadId, assistant.Id, true, reply, turn.Cached, true,
            new UsageObject(turn.PromptTokens, turn.CompletionTokens, turn.PromptTokens + turn.CompletionTokens))
        {
            Status = answer.Status,
            IncompleteDetails = turn.Cut ? new IncompleteDetails(answer.IncompleteReason!) : null,
        });
    }

    /// <summary>What a channel message has stored so far, for taking it back when it gets no answer.</summary>
    private sealed class Asked
    {
        public ChatEntryEntity? Entry { get; set; }

        public MessageEntity? Question { get; set; }

        public bool Answered { get; set; }
    }

    public static async Task<Ok<ListResponse<ChatView>>> ListAsync(
        CallerIdentity caller, ChatDbContext db, IOptions<ChatServiceOptions> options, CancellationToken cancellationToken,
        bool? active = null, int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        var query = Visible(db, caller);
        if (active is { } wanted)
        {
            query = query.Where(c => c.Active == wanted);
        }
        return TypedResults.Ok(await Paging.PageAsync(query, limit, order, after, before, options.Value.MaxListLimit, ChatView.From, cancellationToken));
    }

    public static async Task<Ok<ChatDetail>> GetAsync([FromRoute(Name = "chat_id")] string chatId, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        var chat = await Visible(db, caller).AsNoTracking().FirstOrDefaultAsync(c => c.Id == chatId, cancellationToken)
            ?? throw Access.NotFound("chat", chatId);
        var entries = await db.ChatEntries.AsNoTracking().Where(e => e.ChatId == chatId).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ChatDetail(ChatView.From(chat), entries.Select(ChatEntryView.From).ToList()));
    }

    private static async Task<Ok<ChatView>> SetActiveAsync(
        string chatId, bool active, CallerIdentity caller, ChatDbContext db, CancellationToken cancellationToken)
    {
        var chat = await Visible(db, caller).FirstOrDefaultAsync(c => c.Id == chatId, cancellationToken)
            ?? throw Access.NotFound("chat", chatId);
        chat.Active = active;
        chat.UpdatedAt = Ids.Now();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ChatView.From(chat));
    }

    /// <summary>Seed 001's curl-able bot: a text/plain question in, a text/plain answer out, no thread kept.</summary>
    public static async Task<IResult> AskAsync(
        HttpRequest request, CallerIdentity caller, ChatDbContext db, ChatEngine engine, HttpContext context,
        CancellationToken cancellationToken, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "assistant_id")] string? assistantId = null)
    {
        var question = await ReadTextAsync(request, cancellationToken);
        var assistant = await Access.AssistantAsync(db, caller, ResolveAssistantId(assistantId, caller), cancellationToken);
        var snapshot = await engine.GetKnowledgeAsync(assistant, caller, cancellationToken);
        var turn = await engine.StartAsync(
            new TurnInput(caller, assistant, assistant.Model, assistant.Instructions, null,
                [new AIChatMessage(ChatRole.User, question)], assistant.Temperature, assistant.TopP),
            snapshot, cancellationToken);
        await turn.CompleteAsync(cancellationToken);
        SetUsageHeaders(context, turn);
        return TypedResults.Text(Reply(turn) + "\n", "text/plain", Encoding.UTF8);
    }

    private static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxMessageChars * 4)
        {
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status413PayloadTooLarge, "The question is too long.", "Payload too large");
        }
        var buffer = new char[MaxMessageChars + 1];
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        if (read > MaxMessageChars)
        {
            throw new ServiceDefaults.Errors.ApiException(StatusCodes.Status413PayloadTooLarge, "The question is too long.", "Payload too large");
        }
        var text = new string(buffer, 0, read).Trim();
        return text.Length > 0 ? text : throw Access.BadRequest("Send the question as the text/plain body.", "missing_question");
    }

    /// <summary>The assistant a request names, or the only one its API key may use.</summary>
    private static string ResolveAssistantId(string? requested, CallerIdentity caller) =>
        !string.IsNullOrWhiteSpace(requested) ? requested
        : caller.Assistants is [var only] ? only
        : throw Access.BadRequest("Name the assistant (assistant_id), or use an API key scoped to exactly one assistant.", "missing_assistant_id", "assistant_id");

    private static IQueryable<ChatEntity> Visible(ChatDbContext db, CallerIdentity caller)
    {
        var query = db.Chats.Where(c => c.OwnerId == caller.UserId);
        if (caller.Assistants is { } allowed)
        {
            var ids = allowed.ToList();
            query = query.Where(c => ids.Contains(c.AssistantId));
        }
        return query;
    }

    /// <summary>
    /// The answer as a person in a chat (or at a terminal) reads it: a cut one ends with a short note saying so, since
    /// channel apps show the text alone.
    /// </summary>
    private static string Reply(ChatTurn turn) => turn.Cut ? turn.Text.TrimEnd() + CutNote : turn.Text;

    public const string CutNote = "\n\n[The answer was cut short: it reached its length limit.]";

    private static void SetUsageHeaders(HttpContext context, ChatTurn turn)
    {
        turn.ShowCacheIn(context.Response);
        context.Response.Headers["X-Usage-Tokens"] = string.Create(CultureInfo.InvariantCulture, $"{turn.PromptTokens},{turn.CompletionTokens}");
    }
}
