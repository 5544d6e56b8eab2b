using StackExchange.Redis;

namespace ServiceDefaults.Caching;

public sealed class RedisMessageBus(RedisConnection redis) : IMessageBus
{
    public Task PublishAsync(string channel, string message, CancellationToken cancellationToken = default) =>
        redis.Subscriber.PublishAsync(RedisChannel.Literal(channel), message);

    public async Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler, CancellationToken cancellationToken = default)
    {
        Action<RedisChannel, RedisValue> callback = (channel, value) => _ = DeliverAsync(handler, (string)value!);
        await redis.Subscriber.SubscribeAsync(RedisChannel.Literal(channel), callback).ConfigureAwait(false);
        return new Subscription(redis, channel, callback);
    }

    // A failing subscriber must not take down the multiplexer's callback thread.
    private static async Task DeliverAsync(Func<string, Task> handler, string message)
    {
        try
        {
            await handler(message).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The subscriber owns its errors; pub/sub is fire-and-forget by design.
        }
    }

    private sealed class Subscription(RedisConnection redis, string channel, Action<RedisChannel, RedisValue> callback) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await redis.Subscriber.UnsubscribeAsync(RedisChannel.Literal(channel), callback).ConfigureAwait(false);
    }
}
