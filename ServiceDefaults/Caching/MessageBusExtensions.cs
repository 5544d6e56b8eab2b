namespace ServiceDefaults.Caching;

public static class MessageBusExtensions
{
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
}
