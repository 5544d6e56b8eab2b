using System.Text.Json;

namespace DocumentService.Tests.Support;

/// <summary>
/// An OpenAI-compatible embeddings endpoint (the far end of a model, so a scripted server) that answers at once until
/// the test holds it: then the next request waits until released. A test uses it to do something else exactly while
/// an upload is embedding, with no timing guess.
/// </summary>
public sealed class HeldEmbeddings : IAsyncDisposable
{
    private readonly object _lock = new();
    private TaskCompletionSource? _arrived;
    private TaskCompletionSource? _released;

    private HeldEmbeddings(ScriptedHttpServer server) => Server = server;

    public ScriptedHttpServer Server { get; }

    /// <summary>The setting that points the document service here.</summary>
    public string ConnectionString => $"Endpoint={Server.Url.ToString().TrimEnd('/')}/v1;Key=sk-test;Model=held-embedder";

    public static async Task<HeldEmbeddings> StartAsync()
    {
        HeldEmbeddings? held = null;
        var server = await ScriptedHttpServer.StartAsync(async context =>
        {
            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            var count = request.RootElement.GetProperty("input").GetArrayLength();
            await held!.WaitIfHeldAsync();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["object"] = "list",
                ["model"] = "held-embedder",
                ["data"] = Enumerable.Range(0, count).Select(i => new { @object = "embedding", index = i, embedding = new[] { 0.6f, 0.8f } }),
                ["usage"] = new { prompt_tokens = 1, total_tokens = 1 },
            }));
        });
        held = new HeldEmbeddings(server);
        return held;
    }

    /// <summary>Holds the next request; the task completes once it has arrived (and is waiting).</summary>
    public Task HoldNextAsync()
    {
        lock (_lock)
        {
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _arrived.Task;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _released?.TrySetResult();
        }
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return Server.DisposeAsync();
    }

    private Task WaitIfHeldAsync()
    {
        lock (_lock)
        {
            if (_arrived is null || _arrived.Task.IsCompleted)
            {
                return Task.CompletedTask;
            }
            _arrived.TrySetResult();
            return _released!.Task;
        }
    }
}
