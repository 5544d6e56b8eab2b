using ServiceDefaults.Caching;

namespace ChatService.Services;

/// <summary>
/// Drops <see cref="CachedAnswers"/> on the platform's change channels (docs/contracts.md): an assistant changed
/// ("assistant-changed", this service's own, from any instance), its knowledge ("knowledge-changed"), its intents
/// ("intents-changed") or its cache ("intent-cache-flushed"; "intent-cache-evicted" names one entry's key, which
/// this cache does not hold, so it drops everything).
/// </summary>
public sealed partial class CachedAnswerListener(IMessageBus bus, CachedAnswers answers, ILogger<CachedAnswerListener> logger)
    : BackgroundService
{
    private readonly List<IAsyncDisposable> _subscriptions = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        (string Channel, Action<string> Handler)[] channels =
        [
            (Apis.AssistantsApi.AssistantChangedChannel, ForgetNamed),
            (KnowledgeChangeListener.Channel, ForgetNamed),
            ("intents-changed", answers.Forget),
            ("intent-cache-flushed", answers.Forget),
            ("intent-cache-evicted", _ => answers.ForgetAll()),
        ];
        foreach (var (channel, handler) in channels)
        {
            var subscription = await bus.SubscribeUntilAnsweredAsync(channel, message =>
            {
                handler(message);
                return Task.CompletedTask;
            }, ex => LogSubscribeFailed(logger, ex, channel), stoppingToken).ConfigureAwait(false);
            if (subscription is null)
            {
                return;
            }
            _subscriptions.Add(subscription);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.LeaveAsync(ex => LogSubscribeFailed(logger, ex, "a change channel"), cancellationToken).ConfigureAwait(false);
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private void ForgetNamed(string message)
    {
        if (MessageBusExtensions.AssistantIdOf(message) is { } id)
        {
            answers.Forget(id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to or leaving {Channel} failed")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, string channel);
}
