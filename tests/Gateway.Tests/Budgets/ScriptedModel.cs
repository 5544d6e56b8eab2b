using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDefaults.Tokens;

namespace Gateway.Tests.Budgets;

/// <summary>
/// The model's far end: an OpenAI-compatible chat completions server whose behaviour the question picks, so one
/// server serves every test. A question containing a script's word gets that script; any other gets a short answer.
/// Every answer reports usage, its prompt counted as chat-service reserves it (3 + per message 4 + its tokens).
/// </summary>
internal static class ScriptedModel
{
    public const string Drop = "[drop]";        // two words, then the connection is cut
    public const string Silent = "[silent]";    // nothing at all, the connection kept open
    public const string Stall = "[stall]";      // one word, then nothing, the connection kept open
    public const string NotJson = "[not-json]"; // an event stream whose data is not JSON
    public const string WrongShape = "[wrong-shape]"; // JSON, but no completion in it
    public const string Fails = "[500]";
    public const string Busy = "[429]";
    public const string Count = "[count]";      // one-token words " a" up to max tokens, paced, finish "length"

    public static Task<ScriptedHttpServer> StartAsync() => ScriptedHttpServer.StartAsync(AnswerAsync);

    /// <summary>The prompt tokens a budget reserves for this request body, as the model saw it.</summary>
    public static int PromptTokens(JsonNode body) =>
        3 + body["messages"]!.AsArray().Sum(m => 4 + TokenCounter.Count(m!["content"]?.GetValue<string>()));

    public static int? MaxTokens(JsonNode body) =>
        (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>();

    private static async Task AnswerAsync(HttpContext context)
    {
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
        var question = body["messages"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]!.GetValue<string>();
        var stream = body["stream"]?.GetValue<bool>() == true;
        var prompt = PromptTokens(body);
        var aborted = context.RequestAborted;

        if (question.Contains(Fails, StringComparison.Ordinal) || question.Contains(Busy, StringComparison.Ordinal))
        {
            var busy = question.Contains(Busy, StringComparison.Ordinal);
            context.Response.StatusCode = busy ? 429 : 500;
            if (busy)
            {
                // Longer than chat-service waits for, so it reports the refusal instead of retrying.
                context.Response.Headers.RetryAfter = "600";
            }
            await context.Response.WriteAsJsonAsync(new { error = new { message = "scripted failure", type = "server_error" } });
            return;
        }
        if (question.Contains(Silent, StringComparison.Ordinal))
        {
            await HoldAsync(aborted);
            return;
        }
        if (!stream)
        {
            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-scripted", @object = "chat.completion", created = 1, model = "scripted-model",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "Fine, thanks." }, finish_reason = "stop" } },
                usage = new { prompt_tokens = prompt, completion_tokens = 4, total_tokens = prompt + 4 },
            });
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task SendAsync(string data)
        {
            await context.Response.WriteAsync($"data: {data}\n\n", aborted);
            await context.Response.Body.FlushAsync(aborted);
        }
        Task DeltaAsync(string text, string? finish = null) => SendAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-scripted", @object = "chat.completion.chunk", created = 1, model = "scripted-model",
            choices = new[] { new { index = 0, delta = new { content = text }, finish_reason = finish } },
        }));
        async Task UsageAsync(int completion)
        {
            await SendAsync(JsonSerializer.Serialize(new
            {
                id = "chatcmpl-scripted", @object = "chat.completion.chunk", created = 1, model = "scripted-model",
                choices = Array.Empty<object>(),
                usage = new { prompt_tokens = prompt, completion_tokens = completion, total_tokens = prompt + completion },
            }));
            await SendAsync("[DONE]");
        }

        if (question.Contains(NotJson, StringComparison.Ordinal))
        {
            await SendAsync("this is not json");
            return;
        }
        if (question.Contains(WrongShape, StringComparison.Ordinal))
        {
            await SendAsync("""{"unexpected":true}""");
            await SendAsync("[DONE]");
            return;
        }
        if (question.Contains(Drop, StringComparison.Ordinal))
        {
            await DeltaAsync("Hello");
            await DeltaAsync(" world");
            // Long enough for the words to be read before the reset, which would otherwise discard them unread.
            await Task.Delay(300, aborted);
            context.Abort();
            return;
        }
        if (question.Contains(Stall, StringComparison.Ordinal))
        {
            await DeltaAsync("Hello");
            await HoldAsync(aborted);
            return;
        }
        if (question.Contains(Count, StringComparison.Ordinal))
        {
            var words = MaxTokens(body) ?? 16;
            for (var i = 0; i < words; i++)
            {
                await Task.Delay(10, aborted);
                await DeltaAsync(" a");
            }
            await DeltaAsync("", "length");
            await UsageAsync(words);
            return;
        }
        await DeltaAsync("Fine,");
        await DeltaAsync(" thanks.", "stop");
        await UsageAsync(3);
    }

    private static async Task HoldAsync(CancellationToken aborted)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
        }
        catch (OperationCanceledException)
        {
            // chat-service gave up on it, as it should.
        }
    }
}
