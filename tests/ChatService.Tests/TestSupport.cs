using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace ChatService.Tests;

/// <summary>Hosts and stand-ins the chat service tests share.</summary>
internal static class TestSupport
{
    /// <summary>
    /// The chat service on its own SQLite file with the offline responder. Sibling retries are off so an absent
    /// sibling costs one failed attempt, not a backoff series.
    /// </summary>
    public static ServiceFactory<Program> Service() =>
        new ServiceFactory<Program>().WithSqlite("chatdb").With("Resilience:MaxRetries", "0");

    /// <summary>The service on SQLite, or on a fresh database of the shared real PostgreSQL.</summary>
    public static async Task<ServiceFactory<Program>> ServiceOnAsync(string database) => database switch
    {
        "sqlite" => Service(),
        "postgres" => Service().With("ConnectionStrings:chatdb", await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("chat")),
        _ => throw new ArgumentOutOfRangeException(nameof(database)),
    };

    /// <summary>The service on <paramref name="clock"/>: leases, sweeps and stream keep-alives follow it.</summary>
    public static WebApplicationFactory<Program> OnClock(this ServiceFactory<Program> factory, TimeProvider clock) =>
        factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(clock)));

    /// <summary>The database another replica of this service is to share.</summary>
    public static string Database(this WebApplicationFactory<Program> factory) =>
        factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("chatdb")!;

    public static ServiceFactory<Program> WithModel(this ServiceFactory<Program> factory, ScriptedHttpServer model) =>
        factory.With("ConnectionStrings:openai", $"Endpoint={new Uri(model.Url, "/v1")};Key=test-key;Model=scripted-model")
            .With("Chat:ProviderRetryDelay", "00:00:00.010");

    public static ServiceFactory<Program> WithDocuments(this ServiceFactory<Program> factory, ScriptedHttpServer documents) =>
        factory.With("services:document-service:http:0", documents.Url.ToString().TrimEnd('/'));

    public static ServiceFactory<Program> WithIntentCache(this ServiceFactory<Program> factory, ScriptedHttpServer cache) =>
        factory.With("services:intent-cache-service:http:0", cache.Url.ToString().TrimEnd('/'));

    public static HttpClient Client(this WebApplicationFactory<Program> factory, string userId, IReadOnlyList<string>? assistants = null) =>
        factory.CreateDefaultClient(new CallerHandler(userId, assistants is null ? null : "key_test", assistants));

    /// <summary>The official OpenAI SDK, pointed at the service through the factory's in-memory transport.</summary>
    public static OpenAIClient Sdk(this ServiceFactory<Program> factory, string userId)
    {
        var http = factory.Client(userId);
        return new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(http),
        });
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<string> CreateAssistantAsync(this HttpClient client, string instructions = "You answer from the handbook.")
    {
        using var response = await client.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "Handbook", instructions });
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// document-service's vector store routes as the chat service sees them: every assistant's own store (empty), and
    /// the stores <paramref name="holdsLeave"/> names, each holding leave.md; any other store is not found.
    /// </summary>
    public static Task<ScriptedHttpServer> VectorStoresAsync(Func<string, bool> holdsLeave) => ScriptedHttpServer.StartAsync(async context =>
    {
        var path = context.Request.Path.Value!;
        if (path.EndsWith("/knowledge", StringComparison.Ordinal))
        {
            await context.Response.WriteAsJsonAsync(new { assistant_id = path.Split('/')[3], version = "kv-1", instructions = Array.Empty<object>() });
            return;
        }
        var store = path.Split('/')[3];
        var own = store.StartsWith("vs_asst_", StringComparison.Ordinal);
        if (!own && !holdsLeave(store))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new { error = new { message = $"No vector store found with id '{store}'.", type = "invalid_request_error" } });
            return;
        }
        if (context.Request.Method == "GET")
        {
            await context.Response.WriteAsJsonAsync(new { id = store, @object = "vector_store" });
            return;
        }
        var data = own
            ? []
            : new[] { new { file_id = "file_leave", filename = "leave.md", score = 0.82, attributes = new { }, content = new[] { new { type = "text", text = "Every employee gets 25 vacation days a year." } } } };
        await context.Response.WriteAsJsonAsync(new { @object = "vector_store.search_results.page", search_query = new[] { "q" }, data, has_more = false });
    });

    /// <summary>A stand-in document-service holding one assistant's knowledge; the version can be changed by the test.</summary>
    public static Task<ScriptedHttpServer> DocumentsAsync(Func<string> version, params (string File, string Text)[] passages) =>
        ScriptedHttpServer.StartAsync(async context =>
        {
            if (context.Request.Path.Value!.EndsWith("/knowledge", StringComparison.Ordinal))
            {
                var assistantId = context.Request.Path.Value.Split('/')[3];
                await context.Response.WriteAsJsonAsync(new { assistant_id = assistantId, version = version(), instructions = Array.Empty<object>() });
                return;
            }
            await context.Response.WriteAsJsonAsync(new
            {
                data = passages.Select((p, i) => new { document_id = $"doc_{i}", filename = p.File, chunk_index = 0, score = 1.0 - i * 0.1, text = p.Text }),
            });
        });

    /// <summary>Writes an OpenAI chat completion stream: one chunk per piece, a finish chunk, a usage chunk, [DONE].</summary>
    public static async Task WriteCompletionStreamAsync(HttpContext context, int promptTokens, params string[] pieces)
    {
        context.Response.ContentType = "text/event-stream";
        async Task Send(object chunk)
        {
            await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
        await Send(Chunk(new { role = "assistant", content = "" }, null));
        foreach (var piece in pieces)
        {
            await Send(Chunk(new { content = piece }, null));
        }
        await Send(Chunk(new { }, "stop"));
        await Send(new
        {
            id = "chatcmpl-up", @object = "chat.completion.chunk", created = 1, model = "scripted-model", choices = Array.Empty<object>(),
            usage = new { prompt_tokens = promptTokens, completion_tokens = pieces.Length, total_tokens = promptTokens + pieces.Length },
        });
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    /// <summary>A model that sends one word and then waits, noting when the caller gives up on it.</summary>
    public static Task<ScriptedHttpServer> HangingModelAsync(string firstWord, TaskCompletionSource aborted) =>
        ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(Chunk(new { content = firstWord }, null))}\n\n");
            await context.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });

    public static object Chunk(object delta, string? finish) => ScriptedModel.Chunk(delta, finish);

    public static Task WriteCompletionAsync(HttpContext context, string text, int promptTokens, int completionTokens) =>
        ScriptedModel.CompletionAsync(context, new { role = "assistant", content = text }, "stop", promptTokens, completionTokens);

    public static bool IsStreamRequest(RecordedRequest request) =>
        JsonNode.Parse(request.Body)?["stream"]?.GetValue<bool>() == true;

    /// <summary>The SSE lines of a response body: "event: x", "data: {...}", ": usage {...}".</summary>
    public static List<string> SseLines(string body) =>
        body.Split('\n').Where(l => l.Length > 0).ToList();

    public static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");
}

/// <summary>Adds a freshly minted caller token to every request, as the gateway would.</summary>
internal sealed class CallerHandler(string userId, string? keyId, IReadOnlyList<string>? assistants) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(ServiceDefaults.Identity.CallerTokenCodec.HeaderName);
        request.Headers.Add(ServiceDefaults.Identity.CallerTokenCodec.HeaderName, TestIdentity.Token(userId, keyId, assistants));
        return base.SendAsync(request, cancellationToken);
    }
}
