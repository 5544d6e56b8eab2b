using ServiceDefaults.Caching;

namespace ChatService.Services;

/// <summary>Drops an assistant's knowledge snapshot when document-service announces a change (docs/contracts.md).</summary>
public sealed partial class KnowledgeChangeListener(IMessageBus bus, KnowledgeSnapshots snapshots, ILogger<KnowledgeChangeListener> logger)
    : BackgroundService
{
    public const string Channel = "knowledge-changed";

    private IAsyncDisposable? _subscription;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken) =>
        _subscription = await bus.SubscribeUntilAnsweredAsync(Channel, message =>
        {
            if (MessageBusExtensions.AssistantIdOf(message) is { } id)
            {
                snapshots.Forget(id);
            }
            return Task.CompletedTask;
        }, ex => LogSubscribeFailed(logger, ex), stoppingToken).ConfigureAwait(false);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is { } subscription)
        {
            await subscription.LeaveAsync(ex => LogSubscribeFailed(logger, ex), cancellationToken).ConfigureAwait(false);
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to or leaving knowledge-changed failed")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
