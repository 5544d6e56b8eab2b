using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using ServiceDefaults.Caching;
using ServiceDefaults.Data;

namespace ChatService.Services;

/// <summary>
/// Finds or creates the chat (and its thread) of one channel conversation. The mapping lives in chatdb and is
/// cached in Redis, so a busy channel resolves its thread without a database query.
/// </summary>
public sealed class ChannelChats(ChatDbContext db, IKeyValueStore cache, ThreadTurns turns)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// The channel's chat (made on its first message), with the turn on its thread (<see cref="ThreadTurns"/>),
    /// held until the answer is stored, and the thread's lock (<see cref="ThreadLock"/>), which the caller commits as soon
    /// as the question is stored: no transaction stays open across the model call.
    /// </summary>
    public async Task<ChannelTurn> OpenAsync(
        AssistantEntity assistant, string ownerId, string channelId, string channelService, string? username, CancellationToken cancellationToken)
    {
        var key = KeyOf(assistant.Id, channelService, channelId);
        while (true)
        {
            var (chat, made) = await FindOrCreateAsync(key, assistant, ownerId, channelId, channelService, username, cancellationToken).ConfigureAwait(false);
            var turn = await turns.WaitAsync(chat.ThreadId, cancellationToken).ConfigureAwait(false);
            IDbContextTransaction? threadLock = null;
            try
            {
                threadLock = await ThreadLock.TakeAsync(db, chat.ThreadId, cancellationToken).ConfigureAwait(false);
                // A first message refused while this one waited takes its new chat away again (WithdrawAsync): then this
                // message makes the channel's chat anew. So does one whose thread is gone: a thread's delete takes its
                // chat now, but earlier versions left the chat behind, naming the deleted thread.
                if (!await db.Threads.AnyAsync(t => t.Id == chat.ThreadId, cancellationToken).ConfigureAwait(false))
                {
                    await db.ChatEntries.Where(e => e.ChatId == chat.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Chats.Where(c => c.Id == chat.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await threadLock.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (await db.Chats.AnyAsync(c => c.Id == chat.Id, cancellationToken).ConfigureAwait(false))
                {
                    return new ChannelTurn(chat, made, threadLock, turn);
                }
            }
            catch
            {
                if (threadLock is not null)
                {
                    await threadLock.DisposeAsync().ConfigureAwait(false);
                }
                if (made)
                {
                    await TryForgetMadeAsync(chat).ConfigureAwait(false);
                }
                await turn.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            await threadLock.DisposeAsync().ConfigureAwait(false);
            await turn.DisposeAsync().ConfigureAwait(false);
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Takes back a message that got no answer (a busy thread, a spent budget, a failed model, a cancelled request): its
    /// entry and thread message, and on a first message the chat and thread it made, unless something else was stored in
    /// them meanwhile. A short write of its own, made whatever the request's cancellation, so a retry does not ask twice.
    /// </summary>
    public async Task WithdrawAsync(ChannelTurn open, ChatEntryEntity? entry, MessageEntity? question)
    {
        await open.Lock.DisposeAsync().ConfigureAwait(false);
        await ForgetAsync(open.Chat, open.Made, entry, question).ConfigureAwait(false);
    }

    // A first message that failed before its question could be stored (say, cancelled while waiting for the thread's
    // lock) takes its empty chat back too; the caller gets the first failure, not this one's.
    private async Task TryForgetMadeAsync(ChatEntity chat)
    {
        try
        {
            await ForgetAsync(chat, true, null, null).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An empty chat left behind is found and used by the channel's next message.
        }
    }

    private async Task ForgetAsync(ChatEntity chat, bool made, ChatEntryEntity? entry, MessageEntity? question)
    {
        db.ChangeTracker.Clear();
        await using var threadLock = await ThreadLock.TakeAsync(db, chat.ThreadId, CancellationToken.None).ConfigureAwait(false);
        if (entry is not null)
        {
            await db.ChatEntries.Where(e => e.Id == entry.Id).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        if (question is not null)
        {
            await db.Messages.Where(m => m.Id == question.Id).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        var forget = made
            && !await db.ChatEntries.AnyAsync(e => e.ChatId == chat.Id, CancellationToken.None).ConfigureAwait(false)
            && !await db.Messages.AnyAsync(m => m.ThreadId == chat.ThreadId, CancellationToken.None).ConfigureAwait(false)
            && !await db.Runs.AnyAsync(r => r.ThreadId == chat.ThreadId, CancellationToken.None).ConfigureAwait(false);
        if (forget)
        {
            await db.Chats.Where(c => c.Id == chat.Id).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
            await db.Threads.Where(t => t.Id == chat.ThreadId).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        await threadLock.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        if (forget)
        {
            await TryCacheDeleteAsync(KeyOf(chat.AssistantId, chat.ChannelService, chat.ChannelId)).ConfigureAwait(false);
        }
    }

    private static string KeyOf(string assistantId, string channelService, string channelId) =>
        $"chat-service:channel:{assistantId}:{channelService}:{channelId}";

    private async Task<(ChatEntity Chat, bool Made)> FindOrCreateAsync(
        string key, AssistantEntity assistant, string ownerId, string channelId, string channelService, string? username,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(key, assistant.Id, channelId, channelService, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return (found, false);
        }
        var now = Ids.Now();
        var thread = new ThreadEntity { Id = Ids.New("thread"), OwnerId = ownerId, CreatedAt = now, AssistantId = assistant.Id };
        var chat = new ChatEntity
        {
            Id = Ids.New("chat"),
            OwnerId = ownerId,
            AssistantId = assistant.Id,
            ChannelId = channelId,
            ChannelService = channelService,
            Username = username,
            ThreadId = thread.Id,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Threads.Add(thread);
        db.Chats.Add(chat);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return (chat, true);
        }
        catch (DbUpdateException)
        {
            // Two first messages of one channel raced: the other request made the chat; use that one.
            db.ChangeTracker.Clear();
            var made = await FindAsync(key, assistant.Id, channelId, channelService, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The channel's chat could neither be created nor found.");
            return (made, false);
        }
    }

    private async Task<ChatEntity?> FindAsync(
        string key, string assistantId, string channelId, string channelService, CancellationToken cancellationToken)
    {
        if (await TryCacheGetAsync(key, cancellationToken).ConfigureAwait(false) is { } cachedId
            && await db.Chats.FirstOrDefaultAsync(c => c.Id == cachedId, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached;
        }
        var chat = await Find(assistantId, channelId, channelService, cancellationToken).ConfigureAwait(false);
        if (chat is not null)
        {
            await TryCacheSetAsync(key, chat.Id, cancellationToken).ConfigureAwait(false);
        }
        return chat;
    }

    private Task<ChatEntity?> Find(string assistantId, string channelId, string channelService, CancellationToken cancellationToken) =>
        db.Chats.FirstOrDefaultAsync(c => c.AssistantId == assistantId && c.ChannelService == channelService && c.ChannelId == channelId, cancellationToken);

    // The cache only saves a query: when Redis is unreachable the database answers alone.
    private async Task<string?> TryCacheGetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    private async Task TryCacheDeleteAsync(string key)
    {
        try
        {
            await cache.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A stale entry names a chat that is gone, and FindAsync then asks the database.
        }
    }

    private async Task TryCacheSetAsync(string key, string value, CancellationToken cancellationToken)
    {
        try
        {
            await cache.SetAsync(key, value, CacheLifetime, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
        }
    }
}

/// <summary>An open channel message: its chat, the turn on its thread, and the thread's lock until committed.</summary>
public sealed class ChannelTurn(ChatEntity chat, bool made, IDbContextTransaction threadLock, IAsyncDisposable turn) : IAsyncDisposable
{
    public ChatEntity Chat => chat;

    /// <summary>Whether this message made the chat (and its thread).</summary>
    public bool Made => made;

    public IDbContextTransaction Lock => threadLock;

    public async ValueTask DisposeAsync()
    {
        await threadLock.DisposeAsync().ConfigureAwait(false);
        await turn.DisposeAsync().ConfigureAwait(false);
    }
}
