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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, string Body, IReadOnlyDictionary<string, string> Headers);
