using IntentCacheService.Model;
using ServiceDefaults.Caching;
using ServiceDefaults.Access;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// Listens on the platform's change channels (docs/contracts.md): "knowledge-changed" {"assistant_id","version"} from
/// document-service and "assistant-changed" {"assistant_id"} from chat-service drop the assistant's cached answers;
/// "intents-changed", "intent-cache-flushed" and "intent-cache-evicted" (this service's own) make the other instances
/// drop what they hold in process (a trained intent set, near-cached generations and entries). Subscribing is retried
/// until Redis answers, so a service started before Redis still listens once Redis is up.
/// </summary>
public sealed partial class InvalidationListener(
    IMessageBus bus, AnswerCache cache, IntentCatalog catalog, AssistantAccess access, NearCache near,
    ILogger<InvalidationListener> logger)
    : BackgroundService
{
    public const string KnowledgeChanged = "knowledge-changed";
    public const string AssistantChanged = "assistant-changed";

    private readonly List<IAsyncDisposable> _subscriptions = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        (string Channel, Func<string, Task> Handler)[] channels =
        [
            (KnowledgeChanged, message => DropAsync(message)),
            (AssistantChanged, async message =>
            {
                if (await DropAsync(message).ConfigureAwait(false) is { } id)
                {
                    access.Forget(id);
                    catalog.Evict(id);
                }
            }),
            (IntentCatalog.ChangedChannel, message =>
            {
                catalog.Evict(message);
                near.DropAssistant(message);
                return Task.CompletedTask;
            }),
            (EntryStore.FlushedChannel, message =>
            {
                near.DropAssistant(message);
                return Task.CompletedTask;
            }),
            (EntryStore.EvictedChannel, message =>
            {
                near.DropEntry(message);
                return Task.CompletedTask;
            }),
        ];
        foreach (var (channel, handler) in channels)
        {
            var subscription = await bus.SubscribeUntilAnsweredAsync(channel, handler, ex => LogSubscribeFailed(logger, ex, channel), stoppingToken)
                .ConfigureAwait(false);
            if (subscription is null)
            {
                return;
            }
            lock (_subscriptions)
            {
                _subscriptions.Add(subscription);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A snapshot: a host stopped right after starting may still be adding subscriptions.
        IAsyncDisposable[] subscriptions;
        lock (_subscriptions)
        {
            subscriptions = [.. _subscriptions];
            _subscriptions.Clear();
        }
        foreach (var subscription in subscriptions)
        {
            await subscription.LeaveAsync(ex => LogUnsubscribeFailed(logger, ex), cancellationToken).ConfigureAwait(false);
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> DropAsync(string message)
    {
        var assistantId = MessageBusExtensions.AssistantIdOf(message);
        if (!IntentRules.IsSafeName(assistantId))
        {
            LogIgnored(logger, message);
            return null;
        }
        await cache.InvalidateOnEventAsync(assistantId!).ConfigureAwait(false);
        LogDropped(logger, assistantId!);
        return assistantId;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to {Channel} failed; retrying")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing on shutdown failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a change message without a valid assistant_id: {Message}")]
    private static partial void LogIgnored(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped the cached answers of {AssistantId}")]
    private static partial void LogDropped(ILogger logger, string assistantId);
}
