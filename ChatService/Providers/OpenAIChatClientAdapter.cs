using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace ChatService.Providers;

/// <summary>
/// <see cref="IChatClient"/> over the official OpenAI SDK's ChatClient, so any OpenAI-compatible endpoint answers
/// (OpenAI, Azure-compatible gateways, Ollama, vLLM, LM Studio). The SDK's own retries are off: this adapter retries
/// 429 and 5xx itself, and only before the first streamed token, so a client never sees an answer start twice.
/// </summary>
public sealed partial class OpenAIChatClientAdapter : IChatClient
{
    private readonly OpenAIClient _client;
    private readonly HttpClient _http;
    private readonly ChatOptions _options;
    private readonly ILogger<OpenAIChatClientAdapter> _logger;
    private readonly ConcurrentDictionary<string, ChatClient> _chatClients = new(StringComparer.Ordinal);

    public OpenAIChatClientAdapter(ProviderSettings settings, IOptions<ChatOptions> options, ILogger<OpenAIChatClientAdapter> logger)
    {
        _options = options.Value;
        _logger = logger;
        DefaultModel = settings.Model ?? _options.DefaultModel;
        // Not a factory client: the upstream is outside the platform, so it must not receive the caller token that
        // sibling calls carry, nor the sibling retry policy.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var clientOptions = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(_http),
            RetryPolicy = new ClientRetryPolicy(0),
        };
        if (settings.Endpoint is { } endpoint)
        {
            clientOptions.Endpoint = endpoint;
        }
        _client = new OpenAIClient(new ApiKeyCredential(settings.Key), clientOptions);
    }

    public string DefaultModel { get; }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<AIChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                ChatCompletion completion = await client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false);
                var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
                return new ChatResponse(new AIChatMessage(ChatRole.Assistant, text))
                {
                    ResponseId = completion.Id,
                    ModelId = completion.Model,
                    CreatedAt = completion.CreatedAt,
                    FinishReason = Map(completion.FinishReason),
                    Usage = completion.Usage is { } u ? Usage(u) : null,
                    RawRepresentation = completion,
                };
            }
            catch (ClientResultException ex) when (RetryDelay(ex, attempt) is { } wait)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        Microsoft.Extensions.AI.ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        var updates = await OpenStreamAsync(client, sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false);
        await using (updates.ConfigureAwait(false))
        {
            do
            {
                var update = updates.Current;
                var text = string.Concat(update.ContentUpdate.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
                var contents = new List<AIContent>();
                if (text.Length > 0)
                {
                    contents.Add(new TextContent(text));
                }
                if (update.Usage is { } usage)
                {
                    contents.Add(new UsageContent(Usage(usage)));
                }
                yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
                {
                    ResponseId = update.CompletionId,
                    ModelId = update.Model,
                    CreatedAt = update.CreatedAt,
                    FinishReason = update.FinishReason is { } reason ? Map(reason) : null,
                    RawRepresentation = update,
                };
            }
            while (await updates.MoveNextAsync().ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Opens the stream and reads its first update; failures up to that point (status 429/5xx arrive with the
    /// response headers) are retried. Returns an enumerator positioned on the first update.
    /// </summary>
    private async Task<IAsyncEnumerator<StreamingChatCompletionUpdate>> OpenStreamAsync(
        ChatClient client, List<SdkChatMessage> messages, ChatCompletionOptions options, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var updates = client.CompleteChatStreamingAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
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
        if (attempt >= _options.ProviderRetries || ex.Status is not (429 or >= 500))
        {
            return null;
        }
        var wait = RetryAfter(ex.GetRawResponse()) ?? _options.ProviderRetryDelay * Math.Pow(2, attempt);
        if (wait > _options.ProviderMaxRetryAfter)
        {
            return null;
        }
        LogRetry(_logger, ex.Status, attempt + 1, wait.TotalMilliseconds);
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

    private (ChatClient Client, List<SdkChatMessage> Messages, ChatCompletionOptions Options) Prepare(
        IEnumerable<AIChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options)
    {
        var model = options?.ModelId ?? DefaultModel;
        var client = _chatClients.GetOrAdd(model, m => _client.GetChatClient(m));
        var sdkMessages = messages.Select(ToSdk).ToList();
        var sdkOptions = new ChatCompletionOptions
        {
            Temperature = (float?)options?.Temperature,
            TopP = (float?)options?.TopP,
            MaxOutputTokenCount = options?.MaxOutputTokens,
        };
        return (client, sdkMessages, sdkOptions);
    }

    private static SdkChatMessage ToSdk(AIChatMessage message)
    {
        var text = message.Text;
        if (message.Role == ChatRole.System)
        {
            return new SystemChatMessage(text);
        }
        if (message.Role == ChatRole.Assistant)
        {
            return new AssistantChatMessage(text);
        }
        return new UserChatMessage(text);
    }

    private static UsageDetails Usage(ChatTokenUsage usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
    };

    private static AIFinishReason Map(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Length => AIFinishReason.Length,
        SdkFinishReason.ContentFilter => AIFinishReason.ContentFilter,
        SdkFinishReason.ToolCalls or SdkFinishReason.FunctionCall => AIFinishReason.ToolCalls,
        _ => AIFinishReason.Stop,
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model answered {Status}; retry {Attempt} in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, int status, int attempt, double delayMs);
}
