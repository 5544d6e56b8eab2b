using ChatService.Model;
using Microsoft.EntityFrameworkCore;
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

    public async Task<ChatEntity> FindOrCreateAsync(
        AssistantEntity assistant, string ownerId, string channelId, string channelService, string? username, CancellationToken cancellationToken)
    {
        var key = $"chat-service:channel:{assistant.Id}:{channelService}:{channelId}";
        if (await TryCacheGetAsync(key, cancellationToken).ConfigureAwait(false) is { } cachedId
            && await db.Chats.FirstOrDefaultAsync(c => c.Id == cachedId, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached;
        }

        var chat = await Find(assistant.Id, channelId, channelService, cancellationToken).ConfigureAwait(false);
        if (chat is null)
        {
            var now = Ids.Now();
            var thread = new ThreadEntity { Id = Ids.New("thread"), OwnerId = ownerId, CreatedAt = now, AssistantId = assistant.Id };
            chat = new ChatEntity
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
            }
            catch (DbUpdateException)
            {
                // Two first messages of one channel raced: the other request made the chat; use that one.
                db.ChangeTracker.Clear();
                chat = await Find(assistant.Id, channelId, channelService, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The channel's chat could neither be created nor found.");
            }
        }
        await TryCacheSetAsync(key, chat.Id, cancellationToken).ConfigureAwait(false);
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
