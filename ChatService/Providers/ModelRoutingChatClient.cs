using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using ChatService.Services;
using Microsoft.Extensions.AI;
using OpenAI;
using ChatCompletionOptions = OpenAI.Chat.ChatCompletionOptions;
using ChatReasoningEffortLevel = OpenAI.Chat.ChatReasoningEffortLevel;

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
        For(options).GetResponseAsync(messages, WithOpenAIOptions(options), cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        For(options).GetStreamingResponseAsync(messages, WithOpenAIOptions(options), cancellationToken);

    /// <summary>
    /// What Microsoft.Extensions.AI's options have no field for (effort "minimal", verbosity, the end user) goes in the
    /// OpenAI SDK's own request options, which the adapter starts from and then fills with everything else.
    /// </summary>
    private static ChatOptions? WithOpenAIOptions(ChatOptions? options)
    {
        var controls = ModelControls.Of(options);
        var endUser = EndUser.Of(options);
        if (options is null || (controls is not ({ ReasoningEffort: "minimal" } or { Verbosity: not null }) && endUser is null))
        {
            return options;
        }
        var copy = options.Clone();
        // Both members are marked for evaluation in the SDK; they are its only way to send these fields.
#pragma warning disable OPENAI001, SCME0001
        copy.RawRepresentationFactory = _ =>
        {
            var request = new ChatCompletionOptions();
            if (controls?.ReasoningEffort == "minimal")
            {
                request.ReasoningEffortLevel = ChatReasoningEffortLevel.Minimal;
            }
            // The SDK's chat options have no property for these; its JSON patch writes each field as OpenAI names it.
            if (controls?.Verbosity is { } verbosity)
            {
                request.Patch.Set("$.verbosity"u8, verbosity);
            }
            if (endUser?.User is { } user)
            {
                request.EndUserId = user;
            }
            if (endUser?.SafetyIdentifier is { } safetyIdentifier)
            {
                request.Patch.Set("$.safety_identifier"u8, safetyIdentifier);
            }
            return request;
        };
#pragma warning restore OPENAI001, SCME0001
        return copy;
    }

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
