using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// A real HTTP server on a loopback port whose answers the test scripts: a stand-in for a far end (an upstream
/// model, a flaky sibling). It records every request it saw.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<RecordedRequest> _requests = [];

    private ScriptedHttpServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<ScriptedHttpServer> StartAsync(RequestDelegate handler)
    {
        var app = WebApplication.CreateSlimBuilder().OnFreeLoopbackPort().Build();
        ScriptedHttpServer? server = null;
        app.Run(async context =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            context.Request.Body.Position = 0;
            lock (server!._requests)
            {
                server._requests.Add(new RecordedRequest(
                    context.Request.Method, context.Request.Path + context.Request.QueryString, body,
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            }
            await handler(context).ConfigureAwait(false);
        });
        server = new ScriptedHttpServer(app, await app.StartOnLoopbackAsync().ConfigureAwait(false));
        return server;
    }

    /// <summary>
    /// Answers as an OpenAI-compatible model that calls a function: a chat completion stream whose one choice carries
    /// a tool call (id, name, arguments in two pieces, as real models stream them) and finishes with `tool_calls`.
    /// </summary>
    public static async Task WriteToolCallStreamAsync(HttpContext context, string callId, string name, string argumentsJson)
    {
        context.Response.ContentType = "text/event-stream";
        var half = argumentsJson.Length / 2;
        object Call(object function, string? id) => new { index = 0, id, type = id is null ? null : "function", function };
        foreach (var (delta, finish) in new (object Delta, string? Finish)[]
        {
            (new { role = "assistant", tool_calls = new[] { Call(new { name, arguments = argumentsJson[..half] }, callId) } }, null),
            (new { tool_calls = new[] { Call(new { arguments = argumentsJson[half..] }, null) } }, null),
            (new { }, "tool_calls"),
        })
        {
            var chunk = new { id = "chatcmpl-tool", @object = "chat.completion.chunk", created = 1, model = "scripted-model",
                choices = new[] { new { index = 0, delta, finish_reason = finish } } };
            await context.Response.WriteAsync($"data: {System.Text.Json.JsonSerializer.Serialize(chunk, WithoutNulls)}\n\n", context.RequestAborted).ConfigureAwait(false);
        }
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
    }

    private static readonly System.Text.Json.JsonSerializerOptions WithoutNulls =
        new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, string Body, IReadOnlyDictionary<string, string> Headers);
