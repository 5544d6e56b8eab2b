using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text;
using ChatService.Providers;
using Microsoft.Extensions.AI;
using ServiceDefaults.Errors;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// An answer being made. Read it once, streamed (<see cref="StreamAsync"/>) or whole (<see cref="CompleteAsync"/>);
/// afterwards <see cref="Text"/>, the token counts and <see cref="FinishReason"/> describe it.
/// </summary>
public sealed class ChatTurn
{
    private readonly IChatClient? _model;
    private readonly IReadOnlyList<AIChatMessage> _messages;
    private readonly Microsoft.Extensions.AI.ChatOptions? _options;
    private readonly Func<string, CancellationToken, Task> _store;
    private readonly ModelSecrets _secrets;
    private readonly StringBuilder _text = new();
    private readonly List<FunctionCallContent> _toolCalls = [];

    internal ChatTurn(IChatClient? model, IReadOnlyList<AIChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options,
        Func<string, CancellationToken, Task> store, ModelSecrets secrets)
    {
        _secrets = secrets;
        _model = model;
        _messages = messages;
        _options = options;
        _store = store;
        PromptTokens = TokenEstimator.Count(messages);
    }

    /// <summary>An answer the intent cache already had: no model call, no tokens spent.</summary>
    internal static ChatTurn FromCache(CachedAnswer cached)
    {
        var turn = new ChatTurn(null, [], null, (_, _) => Task.CompletedTask, ModelSecrets.None) { Cached = true, CacheEntryId = cached.EntryId, PromptTokens = 0 };
        turn._text.Append(cached.Answer);
        return turn;
    }

    public bool Cached { get; private init; }
    /// <summary>The intent cache's entry that answered, which /api/intent-cache/feedback takes to report it wrong.</summary>
    public string? CacheEntryId { get; private init; }
    public IReadOnlyList<AIChatMessage> Prompt => _messages;
    public int PromptTokens { get; private set; }
    public int CompletionTokens { get; private set; }
    public string FinishReason { get; private set; } = "stop";
    /// <summary>
    /// The answer stopped at its token cap (the call's max tokens, a key's tokens-per-minute budget or the default
    /// reserve): what was said is kept, but it is not the whole answer.
    /// </summary>
    public bool Cut => FinishReason == "length";
    public string Text => _text.ToString();

    /// <summary>
    /// X-Cache says whether the intent cache answered; X-Cache-Entry names the entry that did, for a client to report a
    /// wrong answer with (/api/intent-cache/feedback).
    /// </summary>
    public void ShowCacheIn(HttpResponse response)
    {
        response.Headers["X-Cache"] = Cached ? "hit" : "miss";
        if (CacheEntryId is { } entry)
        {
            response.Headers["X-Cache-Entry"] = entry;
        }
    }
    /// <summary>The function calls the model made instead of (or after) answering, when tools were offered.</summary>
    public IReadOnlyList<FunctionCallContent> ToolCalls => _toolCalls;

    public async IAsyncEnumerable<string> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_model is null)
        {
            yield return _text.ToString();
            yield break;
        }

        UsageDetails? usage = null;
        var finished = false;
        var updates = _model.GetStreamingResponseAsync(_messages, _options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                    update = updates.Current;
                }
                catch (Exception ex) when (ProviderFailure(ex, _options, _secrets) is { } failure)
                {
                    throw failure;
                }
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent u)
                    {
                        usage = u.Details;
                    }
                    else if (content is FunctionCallContent call)
                    {
                        _toolCalls.Add(call);
                    }
                }
                if (update.FinishReason is { } reason)
                {
                    FinishReason = reason.Value;
                    finished = true;
                }
                var text = update.Text;
                if (text.Length > 0)
                {
                    _text.Append(text);
                    yield return text;
                }
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
        if (!finished)
        {
            // A stream that just stops (the connection closed without its last chunk) is a broken answer, not a short one.
            throw new ApiException(StatusCodes.Status502BadGateway,
                "The model's stream ended before the answer was finished.", "Bad gateway", "upstream_error");
        }
        await FinishAsync(usage, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_model is null)
        {
            return;
        }
        ChatResponse response;
        try
        {
            response = await _model.GetResponseAsync(_messages, _options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ProviderFailure(ex, _options, _secrets) is { } failure)
        {
            throw failure;
        }
        if (response.FinishReason is null && response.Text.Length == 0)
        {
            throw new ApiException(StatusCodes.Status502BadGateway,
                "The model provider's answer held no completion.", "Bad gateway", "upstream_error");
        }
        _text.Append(response.Text);
        _toolCalls.AddRange(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        if (response.FinishReason is { } reason)
        {
            FinishReason = reason.Value;
        }
        await FinishAsync(response.Usage, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A provider that fails (after the adapter's retries) is the platform's upstream failing: 429 stays 429 so
    /// clients back off, silence is a 504, and anything else (an error status, a dropped connection, a body that is
    /// not a completion) is a 502, all in the family's error shape. A model that refuses the request itself (an
    /// unsupported parameter, an unknown model) is relayed as its refusal (<see cref="ModelRefusal"/>). The platform's own
    /// refusals pass unchanged.
    /// </summary>
    private static ApiException? ProviderFailure(Exception ex, Microsoft.Extensions.AI.ChatOptions? options, ModelSecrets secrets) => ex switch
    {
        ApiException or OperationCanceledException => null,
        ClientResultException { Status: 400 or 404 or 413 or 422 } refused when ModelRefusal.Read(refused, ModelControls.Of(options), secrets) is { } relayed => relayed,
        ClientResultException { Status: 429 } limited => new ApiException(StatusCodes.Status429TooManyRequests,
            "The model provider is rate limiting requests; try again shortly.", "Too many requests", "rate_limit_exceeded", ex)
        {
            RetryAfter = RetryAfterOf(limited),
        },
        // Status 0: the SDK's word for a request that got no answer at all (refused, reset, no such host).
        ClientResultException { Status: 0 } or HttpRequestException => new ApiException(StatusCodes.Status502BadGateway,
            "The model provider could not be reached.", "Bad gateway", "upstream_error", ex),
        ClientResultException result => new ApiException(StatusCodes.Status502BadGateway,
            $"The model provider failed (status {result.Status}).", "Bad gateway", "upstream_error", ex),
        IOException => new ApiException(StatusCodes.Status502BadGateway,
            "The model provider's connection broke off.", "Bad gateway", "upstream_error", ex),
        TimeoutException => new ApiException(StatusCodes.Status504GatewayTimeout,
            "The model provider did not answer in time.", "Gateway timeout", "upstream_timeout", ex),
        // The cause goes with it into the log (the client is told only this), so an operator can tell why.
        _ => new ApiException(StatusCodes.Status502BadGateway,
            "The model provider's answer could not be read.", "Bad gateway", "upstream_error", ex),
    };

    /// <summary>The wait the model's own 429 asked for (Retry-After in seconds), passed on to the client.</summary>
    private static TimeSpan? RetryAfterOf(ClientResultException limited) =>
        limited.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) == true
        && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private async Task FinishAsync(UsageDetails? usage, CancellationToken cancellationToken)
    {
        PromptTokens = (int?)usage?.InputTokenCount ?? PromptTokens;
        CompletionTokens = (int?)usage?.OutputTokenCount ?? TokenEstimator.Count(_text.ToString());
        if (FinishReason == "stop" && _text.Length > 0)
        {
            await _store(_text.ToString(), cancellationToken).ConfigureAwait(false);
        }
    }
}
