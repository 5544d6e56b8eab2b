using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ChatService.Providers;

/// <summary>
/// A model that goes quiet has failed: no first update within <see cref="ChatServiceOptions.ModelFirstTokenTimeout"/>
/// (a non-streamed answer: no answer within it), or no next update within <see cref="ChatServiceOptions.ModelStallTimeout"/>.
/// The call is then stopped and a <see cref="TimeoutException"/> raised, which answers the client instead of
/// leaving it waiting on an open stream for ever.
/// </summary>
public sealed class StallTimeoutChatClient(IChatClient inner, ChatServiceOptions options) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watchdog.CancelAfter(options.ModelFirstTokenTimeout);
        try
        {
            return await base.GetResponseAsync(messages, chatOptions, watchdog.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The model gave no answer within {options.ModelFirstTokenTimeout}.");
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var updates = base.GetStreamingResponseAsync(messages, chatOptions, watchdog.Token).GetAsyncEnumerator(watchdog.Token);
        await using (updates.ConfigureAwait(false))
        {
            var first = true;
            while (true)
            {
                var wait = first ? options.ModelFirstTokenTimeout : options.ModelStallTimeout;
                watchdog.CancelAfter(wait);
                bool more;
                try
                {
                    more = await updates.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && watchdog.IsCancellationRequested)
                {
                    throw new TimeoutException(first
                        ? $"The model sent nothing within {wait}."
                        : $"The model's stream stalled for {wait}.");
                }
                if (!more)
                {
                    yield break;
                }
                // The time the consumer takes with an update is not the model's: the watchdog sleeps meanwhile.
                watchdog.CancelAfter(Timeout.InfiniteTimeSpan);
                yield return updates.Current;
                first = false;
            }
        }
    }
}
