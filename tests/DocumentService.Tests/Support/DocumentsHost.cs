using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;

namespace DocumentService.Tests.Support;

/// <summary>
/// The document service hosted in-process with its own SQLite file and blob directory, and a scripted stand-in for
/// chat-service (another engineer's service) that answers the ownership check the way docs/contracts.md says:
/// 200 when the vouched caller owns the assistant, 404 otherwise.
/// </summary>
public sealed class DocumentsHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _owners = new(StringComparer.Ordinal);

    private DocumentsHost(ScriptedHttpServer chat, ServiceFactory<Program> factory, string blobDirectory)
    {
        Chat = chat;
        Factory = factory;
        BlobDirectory = blobDirectory;
    }

    public ScriptedHttpServer Chat { get; }

    public ServiceFactory<Program> Factory { get; }

    public string BlobDirectory { get; }

    public static async Task<DocumentsHost> StartAsync(Action<ServiceFactory<Program>>? configure = null)
    {
        var codec = new CallerTokenCodec(Options.Create(new IdentityOptions { SigningKey = TestIdentity.SigningKey }), TimeProvider.System);
        DocumentsHost? host = null;
        var chat = await ScriptedHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            const string prefix = "/v1/assistants/";
            var allowed = path.StartsWith(prefix, StringComparison.Ordinal)
                && codec.TryRead(context.Request.Headers[CallerTokenCodec.HeaderName].ToString(), out var caller, out _)
                && host!._owners.TryGetValue(Uri.UnescapeDataString(path[prefix.Length..]), out var owner)
                && owner == caller!.UserId;
            context.Response.StatusCode = allowed ? 200 : 404;
            await context.Response.WriteAsJsonAsync(allowed ? new { id = path[prefix.Length..], @object = "assistant" } : null);
        });

        var blobs = TestDirectory.Create("doc-blobs-").Path;
        var factory = new ServiceFactory<Program>()
            .WithSqlite("docsdb")
            .With("services:chat-service:http:0", chat.Url.ToString().TrimEnd('/'))
            .With("Documents:BlobDirectory", blobs)
            // The tests change ownership on the fly; a remembered yes would hide that.
            .With("AssistantAccess:CacheTime", "00:00:00");
        configure?.Invoke(factory);
        host = new DocumentsHost(chat, factory, blobs);
        return host;
    }

    /// <summary>Tells the chat-service stand-in that <paramref name="userId"/> owns a new assistant.</summary>
    public string NewAssistant(string userId) => Own("asst_" + Guid.NewGuid().ToString("N")[..12], userId);

    /// <summary>Tells the chat-service stand-in that <paramref name="userId"/> owns this (existing) assistant.</summary>
    public string Own(string assistantId, string userId)
    {
        _owners[assistantId] = userId;
        return assistantId;
    }

    public HttpClient ClientFor(string userId, IReadOnlyList<string>? assistants = null, string? keyId = null) =>
        Factory.CreateClient().ActAs(userId, keyId, assistants);

    public IReadOnlyList<string> BlobFiles() =>
        Directory.EnumerateFiles(BlobDirectory, "*", SearchOption.AllDirectories).ToList();

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Chat.DisposeAsync();
        TestDirectory.Delete(BlobDirectory);
    }
}

/// <summary>Small calls the tests make over and over.</summary>
public static class DocumentsClient
{
    /// <summary>The body of a successful answer as JSON; any other status fails the test, showing the body.</summary>
    public static async Task<JsonElement> OkJsonAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static MultipartFormDataContent Form(string filename, byte[] content, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", filename);
        return form;
    }

    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, string assistantId, string type, string filename, byte[] content) =>
        await client.PostAsync(new Uri("/api/documents", UriKind.Relative), Form(filename, content, ("assistant_id", assistantId), ("type", type)));

    public static async Task<JsonElement> UploadOkAsync(this HttpClient client, string assistantId, string type, string filename, byte[] content)
    {
        using var response = await client.UploadAsync(assistantId, type, filename, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> SearchAsync(this HttpClient client, string assistantId, string query, int topK = 5)
    {
        using var response = await client.PostAsJsonAsync(new Uri("/api/documents/search", UriKind.Relative),
            new Dictionary<string, object> { ["assistant_id"] = assistantId, ["query"] = query, ["top_k"] = topK });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
    }

    public static async Task<JsonElement> KnowledgeAsync(this HttpClient client, string assistantId)
    {
        using var response = await client.GetAsync(new Uri($"/api/assistants/{assistantId}/knowledge", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> ListAsync(this HttpClient client, string assistantId)
    {
        using var response = await client.GetAsync(new Uri($"/api/documents?assistant_id={assistantId}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
    }
}
