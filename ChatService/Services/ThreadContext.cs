using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// The turns of a thread the model sees. When the assistant's instructions or knowledge version changed since the
/// thread was last answered, the thread starts from fresh context: only the messages after its last answer count
/// from then on. Earlier messages stay stored and listed for the people reading the thread.
/// </summary>
public sealed partial class ThreadContext(ChatDbContext db, ILogger<ThreadContext> logger)
{
    public async Task<List<AIChatMessage>> TurnsAsync(
        ThreadEntity thread, AssistantEntity assistant, KnowledgeSnapshot snapshot, CancellationToken cancellationToken)
    {
        var fingerprint = ChatEngine.Fingerprint(assistant, snapshot);
        if (fingerprint is not null && fingerprint != thread.ContextFingerprint)
        {
            if (thread.ContextFingerprint is not null)
            {
                var lastAnswer = await Said(thread.Id).Where(m => m.Role == "assistant")
                    .OrderByDescending(m => m.Id).Select(m => m.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                thread.ContextStartMessageId = await db.Messages
                    .Where(m => m.ThreadId == thread.Id && (lastAnswer == null || string.Compare(m.Id, lastAnswer) > 0))
                    .OrderBy(m => m.Id).Select(m => m.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                LogContextReset(logger, thread.Id);
            }
            thread.ContextFingerprint = fingerprint;
            await db.Threads.Where(t => t.Id == thread.Id).ExecuteUpdateAsync(u => u
                .SetProperty(t => t.ContextFingerprint, thread.ContextFingerprint)
                .SetProperty(t => t.ContextStartMessageId, thread.ContextStartMessageId), cancellationToken).ConfigureAwait(false);
        }

        var query = Said(thread.Id).AsNoTracking();
        if (thread.ContextStartMessageId is { } start)
        {
            query = query.Where(m => string.Compare(m.Id, start) >= 0);
        }
        var rows = await query.OrderBy(m => m.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(m => new AIChatMessage(m.Role == "assistant" ? ChatRole.Assistant : ChatRole.User, m.Content)).ToList();
    }

    /// <summary>
    /// The messages that are part of the conversation. An answer cut at its run's token cap was said in full up to there
    /// and stays in it; the partial text of a cancelled or failed run does not.
    /// </summary>
    private IQueryable<MessageEntity> Said(string threadId) => db.Messages.Where(m => m.ThreadId == threadId
        && (m.Status == "completed" || (m.Status == "incomplete" && m.IncompleteReason == "max_tokens")));

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} starts from fresh context: its assistant's instructions or knowledge changed")]
    private static partial void LogContextReset(ILogger logger, string threadId);
}
