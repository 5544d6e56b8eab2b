using System.Text.Json;

namespace ServiceDefaults.Caching;

public static class MessageBusExtensions
{
    /// <summary>The assistant a change message (<c>{"assistant_id": ...}</c>, docs/contracts.md) is about; null when it names none.</summary>
    public static string? AssistantIdOf(string message)
    {
        try
        {
            using var doc = JsonDocument.Parse(message);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("assistant_id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Tells the other instances of a change already stored. A message that cannot be sent (Redis slow, refusing or
    /// gone) goes to <paramref name="failed"/> rather than failing the request: the change happened, a client retrying
    /// would only make it again, and every listener has its own way to catch up (cache expiry, knowledge versions).
    /// </summary>
    public static async Task AnnounceAsync(
        this IMessageBus bus, string channel, string message, Action<Exception> failed, CancellationToken cancellationToken = default)
    {
        try
        {
            await bus.PublishAsync(channel, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            failed(ex);
        }
    }

    /// <summary>
    /// Subscribes, trying again each second until the bus answers, so a service started before Redis still listens
    /// once Redis is up. Null only when <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    public static async Task<IAsyncDisposable?> SubscribeUntilAnsweredAsync(
        this IMessageBus bus, string channel, Func<string, Task> handler, Action<Exception> failed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                return await bus.SubscribeAsync(channel, handler, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed(ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>
    /// Leaves a subscription on shutdown, waiting at most two seconds: an UNSUBSCRIBE on a connection that is closing
    /// (or to a Redis that is gone) may never be answered, and shutdown must not wait on it.
    /// </summary>
    public static async Task LeaveAsync(this IAsyncDisposable subscription, Action<Exception> failed, CancellationToken cancellationToken)
    {
        try
        {
            await subscription.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failed(ex);
        }
    }
}
