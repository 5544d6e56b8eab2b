using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ServiceDefaults.Errors;

namespace VoiceService.Services.Answers;

/// <summary>
/// Streams an assistant's answer from chat-service (the caller travels along, so chat-service checks the assistant and
/// the thread are theirs): a chat completion, or with a thread a streamed run on it, so the spoken question and its
/// answer are kept in the thread as any other turn of it.
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
        var asked = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = question } };
        var inThread = !string.IsNullOrEmpty(threadId);
        object body = inThread
            ? new Dictionary<string, object> { ["assistant_id"] = assistantId, ["stream"] = true, ["additional_messages"] = asked }
            : new Dictionary<string, object> { ["model"] = assistantId, ["stream"] = true, ["messages"] = asked };

        var client = http.CreateClient(HttpClientName);
        var request = new HttpRequestMessage(HttpMethod.Post, inThread
            ? $"http://chat-service/v1/threads/{Uri.EscapeDataString(threadId!)}/runs"
            : "http://chat-service/v1/chat/completions")
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
                // A thread's 404 says which of the two was not found; a completion's can only be the assistant.
                HttpStatusCode.NotFound when inThread => new ApiException(StatusCodes.Status404NotFound, detail, "Not found", code ?? "not_found"),
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
        return new AnswerStream(request, response, inThread ? new RunCanceller(client, threadId!) : null);
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

/// <summary>Cancels a run on a thread that waits for what a voice turn cannot give (function outputs), freeing the thread.</summary>
public sealed class RunCanceller(HttpClient client, string threadId)
{
    public async Task CancelAsync(string runId)
    {
        try
        {
            using var cancelled = await client.PostAsync(
                new Uri($"http://chat-service/v1/threads/{Uri.EscapeDataString(threadId)}/runs/{Uri.EscapeDataString(runId)}/cancel"),
                content: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The run then expires as any run left waiting for tool outputs does.
        }
    }
}

/// <summary>
/// An answer being streamed: its text deltas, read from OpenAI chat.completion.chunk events, or from a run's
/// Assistants events (thread.message.delta) when <paramref name="run"/> is given.
/// </summary>
public sealed class AnswerStream(HttpRequestMessage request, HttpResponseMessage response, RunCanceller? run = null) : IDisposable
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
        var name = "";
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
                continue;
            }
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                // Blank separators and ": usage" comments carry no text.
                continue;
            }
            var data = line.AsMemory(5).Trim();
            if (data.Span.SequenceEqual("[DONE]"))
            {
                yield break;
            }
            var delta = run is null ? ContentOf(data) : await RunContentOfAsync(name, data).ConfigureAwait(false);
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

    /// <summary>The text of a run's event: message deltas carry it; a failed run fails the answer, an incomplete one cuts it.</summary>
    private async Task<string?> RunContentOfAsync(string name, ReadOnlyMemory<char> data)
    {
        switch (name)
        {
            case "thread.message.delta":
                using (var json = JsonDocument.Parse(data))
                {
                    var parts = json.RootElement.GetProperty("delta").GetProperty("content");
                    return string.Concat(parts.EnumerateArray()
                        .Where(p => p.TryGetProperty("text", out var text) && text.TryGetProperty("value", out _))
                        .Select(p => p.GetProperty("text").GetProperty("value").GetString()));
                }
            case "thread.run.incomplete":
                Cut = true;
                return null;
            case "thread.run.failed" or "thread.run.expired" or "thread.run.cancelled":
                using (var json = JsonDocument.Parse(data))
                {
                    var message = json.RootElement.TryGetProperty("last_error", out var error) && error.ValueKind == JsonValueKind.Object
                        ? error.GetProperty("message").GetString()
                        : name["thread.run.".Length..];
                    throw new InvalidOperationException($"chat-service: the run ended {message}");
                }
            case "thread.run.requires_action":
                using (var json = JsonDocument.Parse(data))
                {
                    await run!.CancelAsync(json.RootElement.GetProperty("id").GetString()!).ConfigureAwait(false);
                }
                throw new InvalidOperationException("chat-service: the assistant called its functions, which a voice turn cannot answer.");
            default:
                return null;
        }
    }

    public void Dispose()
    {
        response.Dispose();
        request.Dispose();
    }
}
