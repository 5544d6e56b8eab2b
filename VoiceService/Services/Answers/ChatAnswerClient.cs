using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ServiceDefaults.Errors;

namespace VoiceService.Services.Answers;

/// <summary>
/// Streams an assistant's answer from chat-service's OpenAI-compatible chat completions (the caller travels along,
/// so chat-service checks the assistant is theirs).
/// </summary>
public sealed class ChatAnswerClient(IHttpClientFactory http)
{
    public const string HttpClientName = "chat";

    /// <summary>
    /// Sends the question and waits for the answer's headers only: a refusal (unknown assistant, limits) surfaces
    /// here as an ApiException, before the caller starts its own stream.
    /// </summary>
    public async Task<AnswerStream> StartAsync(string assistantId, string question, string? threadId, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object>
        {
            ["model"] = assistantId,
            ["stream"] = true,
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = question } },
        };
        if (!string.IsNullOrEmpty(threadId))
        {
            // Not part of OpenAI's shape: lets chat-service keep the voice turn in the user's thread.
            body["thread_id"] = threadId;
        }

        var client = http.CreateClient(HttpClientName);
        var request = new HttpRequestMessage(HttpMethod.Post, "http://chat-service/v1/chat/completions")
        {
            Content = JsonContent.Create(body),
        };
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            request.Dispose();
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "The chat service is not available right now; try again shortly.", "Service unavailable", "service_unavailable");
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = response.StatusCode;
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var (detail, code) = await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
            response.Dispose();
            request.Dispose();
            // chat-service's own code and wait travel on: a voice client backs off as a chat client does.
            throw status switch
            {
                HttpStatusCode.NotFound => new ApiException(StatusCodes.Status404NotFound, $"Assistant {assistantId} was not found.", "Not found", "assistant_not_found"),
                HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => new ApiException(StatusCodes.Status403Forbidden, detail, "Forbidden", code),
                HttpStatusCode.BadRequest => new ApiException(StatusCodes.Status400BadRequest, detail, "Bad request", code),
                HttpStatusCode.TooManyRequests => new ApiException(StatusCodes.Status429TooManyRequests, detail, "Too many requests", code ?? "rate_limit_exceeded")
                {
                    RetryAfter = retryAfter,
                },
                _ => new ApiException(StatusCodes.Status502BadGateway, $"chat-service answered {(int)status}: {detail}", "Upstream failed"),
            };
        }
        return new AnswerStream(request, response);
    }

    /// <summary>The message and code of chat-service's error body (OpenAI's on /v1), or its text cut short.</summary>
    private static async Task<(string Message, string? Code)> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                root = error;
            }
            if ((String(root, "message") ?? String(root, "detail")) is { } message)
            {
                return (message, String(root, "code"));
            }
        }
        catch (JsonException)
        {
        }
        return (text.Length > 300 ? text[..300] : text, null);
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

/// <summary>An answer being streamed: its text deltas, read from OpenAI chat.completion.chunk events.</summary>
public sealed class AnswerStream(HttpRequestMessage request, HttpResponseMessage response) : IDisposable
{
    /// <summary>
    /// Known once the deltas are read: chat-service ended the answer at its token cap (finish_reason "length"), so what
    /// was said is not the whole answer.
    /// </summary>
    public bool Cut { get; private set; }

    public async IAsyncEnumerable<string> ReadDeltasAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                // Blank separators, "event:" names and ": usage" comments carry no text.
                continue;
            }
            var data = line.AsMemory(5).Trim();
            if (data.Span.SequenceEqual("[DONE]"))
            {
                yield break;
            }
            var delta = ContentOf(data);
            if (!string.IsNullOrEmpty(delta))
            {
                yield return delta;
            }
        }
    }

    private string? ContentOf(ReadOnlyMemory<char> data)
    {
        using var json = JsonDocument.Parse(data);
        if (json.RootElement.TryGetProperty("error", out var error))
        {
            var message = error.TryGetProperty("message", out var m) ? m.GetString() : "the answer failed";
            throw new InvalidOperationException($"chat-service: {message}");
        }
        if (!json.RootElement.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0)
        {
            return null;
        }
        if (choices[0].TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
        {
            Cut = finish.ValueEquals("length");
        }
        return choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null;
    }

    public void Dispose()
    {
        response.Dispose();
        request.Dispose();
    }
}
