using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OpenAI;

namespace ChatService.Providers;

/// <summary>
/// Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio) through Microsoft.Extensions.AI.OpenAI's
/// <c>AsIChatClient()</c>, one per model: the SDK's chat client is bound to a model, while an assistant or a request
/// names its own (<see cref="ChatOptions.ModelId"/>).
/// </summary>
public sealed class ModelRoutingChatClient : IChatClient
{
    private readonly OpenAIClient _client;
    private readonly HttpClient _http;
    private readonly ChatClientMetadata _metadata;
    private readonly ConcurrentDictionary<string, IChatClient> _byModel = new(StringComparer.Ordinal);

    public ModelRoutingChatClient(ProviderSettings settings, string defaultModel)
    {
        // Not a factory client: the model's host is outside the platform, so it must not receive the caller token
        // sibling calls carry, nor the sibling resilience pipeline (whose retries could repeat a started answer).
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var options = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(_http),
            // FirstTokenRetryChatClient retries, and only before the first token.
            RetryPolicy = new ClientRetryPolicy(0),
        };
        if (settings.Endpoint is { } endpoint)
        {
            options.Endpoint = endpoint;
        }
        _client = new OpenAIClient(new ApiKeyCredential(settings.Key), options);
        _metadata = new ChatClientMetadata("openai", settings.Endpoint, defaultModel);
    }

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        For(options).GetResponseAsync(messages, options, cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        For(options).GetStreamingResponseAsync(messages, options, cancellationToken);

    private IChatClient For(ChatOptions? options) =>
        _byModel.GetOrAdd(options?.ModelId ?? _metadata.DefaultModelId!, model => _client.GetChatClient(model).AsIChatClient());

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        foreach (var client in _byModel.Values)
        {
            client.Dispose();
        }
        _http.Dispose();
    }
}
