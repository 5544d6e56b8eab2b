using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// What a scripted OpenAI-compatible model (<see cref="ScriptedHttpServer"/>) writes: chat completion streams of text
/// or of tool calls, in the chunk shapes OpenAI sends (a tool call's arguments split over several chunks).
/// </summary>
public static class ScriptedModel
{
    public static async Task StreamTextAsync(HttpContext context, params string[] pieces)
    {
        Begin(context);
        await SendAsync(context, Chunk(new { role = "assistant", content = "" }, null));
        foreach (var piece in pieces)
        {
            await SendAsync(context, Chunk(new { content = piece }, null));
        }
        await EndAsync(context, "stop", pieces.Length);
    }

    /// <summary>One tool call, its arguments sent in two halves as a real model streams them.</summary>
    public static async Task StreamToolCallAsync(HttpContext context, string callId, string name, string arguments)
    {
        Begin(context);
        var half = arguments.Length / 2;
        await SendAsync(context, Chunk(new
        {
            role = "assistant",
            tool_calls = new[] { new { index = 0, id = callId, type = "function", function = new { name, arguments = arguments[..half] } } },
        }, null));
        await SendAsync(context, Chunk(new { tool_calls = new[] { new { index = 0, function = new { arguments = arguments[half..] } } } }, null));
        await EndAsync(context, "tool_calls", 5);
    }

    private static void Begin(HttpContext context) => context.Response.ContentType = "text/event-stream";

    private static async Task EndAsync(HttpContext context, string finish, int completionTokens)
    {
        await SendAsync(context, Chunk(new { }, finish));
        await SendAsync(context, new
        {
            id = "chatcmpl-scripted", @object = "chat.completion.chunk", created = 1, model = "scripted-model", choices = Array.Empty<object>(),
            usage = new { prompt_tokens = 10, completion_tokens = completionTokens, total_tokens = 10 + completionTokens },
        });
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    private static async Task SendAsync(HttpContext context, object chunk)
    {
        await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public static object Chunk(object delta, string? finish) => new
    {
        id = "chatcmpl-up",
        @object = "chat.completion.chunk",
        created = 1,
        model = "scripted-model",
        choices = new[] { new { index = 0, delta, finish_reason = finish } },
    };
}
