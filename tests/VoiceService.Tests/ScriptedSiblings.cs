using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace VoiceService.Tests;

/// <summary>
/// Stand-ins for the services other engineers build: chat-service streaming OpenAI chat-completion chunks at a
/// set pace, intent-cache-service and document-service answering with an assistant's intents and documents.
/// </summary>
internal static class ScriptedSiblings
{
    /// <summary>
    /// chat-service: the answer in small deltas, one every <paramref name="pace"/>, then a finish chunk with
    /// <paramref name="finishReason"/> ("length" when the answer was cut at its token cap), usage and [DONE].
    /// </summary>
    /// <param name="hold">When given, the last sentence is held back until this completes (or 30 s pass).</param>
    public static RequestDelegate Chat(
        IReadOnlyList<string> deltas, TimeSpan pace, TaskCompletionSource? aborted = null, Task? hold = null, string finishReason = "stop") => async context =>
    {
        context.Response.ContentType = "text/event-stream";
        var lastSentence = deltas.Count - 1;
        while (lastSentence > 0 && !deltas[lastSentence - 1].TrimEnd().EndsWith('.'))
        {
            lastSentence--;
        }
        try
        {
            for (var i = 0; i < deltas.Count; i++)
            {
                var delta = deltas[i];
                if (hold is not null && i == lastSentence)
                {
                    await Task.WhenAny(hold, Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted));
                }
                await Task.Delay(pace, context.RequestAborted);
                var chunk = JsonSerializer.Serialize(new
                {
                    id = "chatcmpl-test",
                    @object = "chat.completion.chunk",
                    created = 1,
                    model = "asst_test",
                    choices = new[] { new { index = 0, delta = new { content = delta }, finish_reason = (string?)null } },
                });
                await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            var finish = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-test",
                @object = "chat.completion.chunk",
                created = 1,
                model = "asst_test",
                choices = new[] { new { index = 0, delta = new { }, finish_reason = finishReason } },
            });
            await context.Response.WriteAsync($"data: {finish}\n\n", context.RequestAborted);
            await context.Response.WriteAsync(": usage {\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14}\n\ndata: [DONE]\n\n", context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            aborted?.TrySetResult();
        }
    };

    /// <summary>Splits text into word-sized deltas as a model's tokens would arrive.</summary>
    public static IReadOnlyList<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ' ')
            {
                tokens.Add(text[start..i]);
                start = i;
            }
        }
        return tokens;
    }

    /// <summary>intent-cache-service and document-service for one assistant; anything else is a 404.</summary>
    public static RequestDelegate Knowledge(string assistantId, string[] examples, string documentText) => async context =>
    {
        var path = context.Request.Path.Value ?? "";
        if (path == $"/api/intents/{assistantId}")
        {
            await context.Response.WriteAsJsonAsync(new
            {
                assistant_id = assistantId,
                threshold = 0.8,
                intents = new[] { new { name = "faq", examples, answer = (string?)null } },
            });
        }
        else if (path == $"/api/assistants/{assistantId}/knowledge")
        {
            await context.Response.WriteAsJsonAsync(new
            {
                assistant_id = assistantId,
                version = "v1",
                instructions = new[] { new { document_id = "doc_1", filename = "policy.md", text = documentText } },
            });
        }
        else if (path == "/api/documents/search")
        {
            await context.Response.WriteAsJsonAsync(new { data = Array.Empty<object>() });
        }
        else
        {
            context.Response.StatusCode = 404;
        }
    };
}
