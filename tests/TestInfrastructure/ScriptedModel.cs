using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// What a scripted OpenAI-compatible model (<see cref="ScriptedHttpServer"/>) writes: chat completion streams of text
/// or of tool calls, in the chunk shapes OpenAI sends (a tool call's arguments split over several chunks).
/// </summary>
public static class ScriptedModel
{
    public static Task StreamTextAsync(HttpContext context, params string[] pieces) => StreamTextEndingAsync(context, "stop", pieces);

    /// <summary>Text that ends with <paramref name="finish"/>: "length" is an answer cut at its token cap.</summary>
    public static async Task StreamTextEndingAsync(HttpContext context, string finish, params string[] pieces)
    {
        Begin(context);
        await SendAsync(context, Chunk(new { role = "assistant", content = "" }, null));
        foreach (var piece in pieces)
        {
            await SendAsync(context, Chunk(new { content = piece }, null));
        }
        await EndAsync(context, finish, pieces.Length);
    }

    /// <summary>One tool call, its arguments sent in two halves as a real model streams them.</summary>
    public static Task StreamToolCallAsync(HttpContext context, string callId, string name, string arguments) =>
        StreamToolCallsAsync(context, 2, (callId, name, arguments));

    /// <summary>
    /// Tool calls one after another, as parallel calls stream: each call's first chunk carries its index, id, type and
    /// name with the first part of its arguments, the rest of the arguments follow in <paramref name="pieces"/> - 1 chunks.
    /// </summary>
    public static async Task StreamToolCallsAsync(HttpContext context, int pieces, params (string Id, string Name, string Arguments)[] calls)
    {
        Begin(context);
        for (var index = 0; index < calls.Length; index++)
        {
            var (callId, name, arguments) = calls[index];
            var cuts = Enumerable.Range(0, pieces + 1).Select(i => arguments.Length * i / pieces).ToList();
            var opening = new[] { new { index, id = callId, type = "function", function = new { name, arguments = arguments[..cuts[1]] } } };
            await SendAsync(context, Chunk(index == 0 ? new { role = "assistant", tool_calls = opening } : (object)new { tool_calls = opening }, null));
            for (var i = 1; i < pieces; i++)
            {
                await SendAsync(context, Chunk(new { tool_calls = new[] { new { index, function = new { arguments = arguments[cuts[i]..cuts[i + 1]] } } } }, null));
            }
        }
        await EndAsync(context, "tool_calls", 5);
    }

    /// <summary>A whole (not streamed) chat completion whose one choice calls a function and finishes with `tool_calls`.</summary>
    public static Task ToolCallAsync(HttpContext context, string callId, string name, string arguments) =>
        CompletionAsync(context, new
        {
            role = "assistant",
            content = (string?)null,
            tool_calls = new[] { new { id = callId, type = "function", function = new { name, arguments } } },
        }, "tool_calls", 10, 5);

    /// <summary>A whole (not streamed) chat completion of one choice holding <paramref name="message"/>.</summary>
    public static Task CompletionAsync(HttpContext context, object message, string finish, int promptTokens, int completionTokens) =>
        context.Response.WriteAsJsonAsync(new
        {
            id = "chatcmpl-up",
            @object = "chat.completion",
            created = 1,
            model = "scripted-model",
            choices = new[] { new { index = 0, message, finish_reason = finish } },
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        }, context.RequestAborted);

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
