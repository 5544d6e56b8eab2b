using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ChatService.Providers;

/// <summary>
/// Retries a model call the provider refused with 429 or 5xx, and only before the first streamed token, so a client
/// never sees an answer start twice. Waits as long as Retry-After (or retry-after-ms) asks, up to a limit.
/// </summary>
public sealed partial class FirstTokenRetryChatClient(IChatClient inner, ChatServiceOptions options, ILogger<FirstTokenRetryChatClient> logger)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await base.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (ClientResultException ex) when (RetryDelay(ex, attempt) is { } wait)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = await OpenStreamAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        await using (updates.ConfigureAwait(false))
        {
            do
            {
                yield return updates.Current;
            }
            while (await updates.MoveNextAsync().ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Opens the stream and reads its first update; failures up to that point (429/5xx arrive with the response
    /// headers) are retried. Returns an enumerator positioned on the first update.
    /// </summary>
    private async Task<IAsyncEnumerator<ChatResponseUpdate>> OpenStreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var updates = base.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                if (await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    return updates;
                }
                await updates.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException("The model's stream ended before its first update.");
            }
            catch (ClientResultException ex) when (RetryDelay(ex, attempt) is { } wait)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await updates.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>How long to wait before retrying, or null when this failure is not retried.</summary>
    private TimeSpan? RetryDelay(ClientResultException ex, int attempt)
    {
        if (attempt >= options.ProviderRetries || ex.Status is not (429 or >= 500))
        {
            return null;
        }
        var wait = RetryAfter(ex.GetRawResponse()) ?? options.ProviderRetryDelay * Math.Pow(2, attempt);
        if (wait > options.ProviderMaxRetryAfter)
        {
            return null;
        }
        LogRetry(logger, ex.Status, attempt + 1, wait.TotalMilliseconds);
        return wait;
    }

    private static TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null)
        {
            return null;
        }
        if (response.Headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
        {
            return TimeSpan.FromMilliseconds(millis);
        }
        if (response.Headers.TryGetValue("Retry-After", out var value))
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var delta = date - DateTimeOffset.UtcNow;
                return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model answered {Status}; retry {Attempt} in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, int status, int attempt, double delayMs);
}
