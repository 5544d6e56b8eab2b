using System.Collections.Concurrent;

namespace ServiceDefaults.Caching;

/// <summary>In-process pub/sub: the embedded default, which reaches subscribers in this process only.</summary>
public sealed class MemoryMessageBus : IMessageBus
{
    private readonly ConcurrentDictionary<string, ImmutableHandlers> _channels = new(StringComparer.Ordinal);

    public async Task PublishAsync(string channel, string message, CancellationToken cancellationToken = default)
    {
        if (_channels.TryGetValue(channel, out var handlers))
        {
            foreach (var handler in handlers.Items)
            {
                await handler(message).ConfigureAwait(false);
            }
        }
    }

    public Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler, CancellationToken cancellationToken = default)
    {
        _channels.AddOrUpdate(channel, _ => new ImmutableHandlers([handler]), (_, h) => new ImmutableHandlers([.. h.Items, handler]));
        return Task.FromResult<IAsyncDisposable>(new Subscription(() =>
            _channels.AddOrUpdate(channel, _ => new ImmutableHandlers([]), (_, h) => new ImmutableHandlers(h.Items.Where(x => x != handler).ToArray()))));
    }

    private sealed record ImmutableHandlers(Func<string, Task>[] Items);

    private sealed class Subscription(Action unsubscribe) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                unsubscribe();
            }
            return ValueTask.CompletedTask;
        }
    }
}
