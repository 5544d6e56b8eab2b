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
public sealed class ChannelChats(ChatDbContext db, IKeyValueStore cache)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// The channel's chat with its thread's lock held (<see cref="ThreadLock"/>) until the caller commits or disposes
    /// the transaction, so a channel's messages are answered one after another and none slips into a run. A first
    /// message makes the chat and its thread inside that transaction: a message that is refused leaves nothing behind.
    /// </summary>
    public async Task<(ChatEntity Chat, IDbContextTransaction Lock)> OpenAsync(
        AssistantEntity assistant, string ownerId, string channelId, string channelService, string? username, CancellationToken cancellationToken)
    {
        var key = $"chat-service:channel:{assistant.Id}:{channelService}:{channelId}";
        if (await FindAsync(key, assistant.Id, channelId, channelService, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return (found, await ThreadLock.TakeAsync(db, found.ThreadId, cancellationToken).ConfigureAwait(false));
        }

        // No one else can see a thread before it is committed, so the transaction that makes it is its lock.
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
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
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return (chat, transaction);
        }
        catch (DbUpdateException)
        {
            // Two first messages of one channel raced and the other's chat was committed first (the unique index made
            // this one wait for it): this message is the chat's second.
            await transaction.DisposeAsync().ConfigureAwait(false);
            db.ChangeTracker.Clear();
            var made = await FindAsync(key, assistant.Id, channelId, channelService, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The channel's chat could neither be created nor found.");
            return (made, await ThreadLock.TakeAsync(db, made.ThreadId, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
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
