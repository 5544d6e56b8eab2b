using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// A user with one of everything the platform stores: an assistant with a document, intents and a channel chat; a
/// thread with a message and a finished run; a /v1/files file; an API key scoped to the assistant.
/// </summary>
public sealed class Tenant
{
    private Tenant(HttpClient client, string accessToken) => (Client, AccessToken) = (client, accessToken);

    public HttpClient Client { get; }
    public string AccessToken { get; }
    public string AssistantId { get; private set; } = "";
    public string ThreadId { get; private set; } = "";
    public string MessageId { get; private set; } = "";
    public string RunId { get; private set; } = "";
    public string FileId { get; private set; } = "";
    public string DocumentId { get; private set; } = "";
    public string KeyId { get; private set; } = "";
    public string KeySecret { get; private set; } = "";
    public string ChatId { get; private set; } = "";

    /// <summary>The id a path parameter of this name stands for, in this tenant's data.</summary>
    public string IdFor(string parameter, string path) => Kind(parameter, path) switch
    {
        "assistant" => AssistantId,
        "thread" => ThreadId,
        "message" => MessageId,
        "run" => RunId,
        "file" => FileId,
        "document" => DocumentId,
        "key" => KeyId,
        "chat" => ChatId,
        "service" => "chat-service",
        _ => "x",
    };

    public static string Kind(string parameter, string path)
    {
        var name = parameter.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        return name switch
        {
            "assistantid" or "modelid" => "assistant",
            "threadid" => "thread",
            "messageid" => "message",
            "runid" => "run",
            "fileid" => "file",
            "chatid" => "chat",
            "service" => "service",
            "id" when path.StartsWith("/api/keys", StringComparison.Ordinal) => "key",
            "id" when path.StartsWith("/api/documents", StringComparison.Ordinal) => "document",
            _ => "other",
        };
    }

    public static async Task<Tenant> CreateAsync(Platform platform, string name)
    {
        var (client, token) = await platform.NewUserAsync(name);
        var tenant = new Tenant(client, token);
        await tenant.FillAsync(platform);
        return tenant;
    }

    private async Task FillAsync(Platform platform)
    {
        AssistantId = (await PostJsonAsync("/v1/assistants",
            new { model = "gpt-4o-mini", name = "Handbook", instructions = "Answer from the handbook." })).GetProperty("id").GetString()!;

        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent("Employees get 27 vacation days per year."u8.ToArray())
            {
                Headers = { ContentType = new MediaTypeHeaderValue("text/plain") },
            }, "file", "handbook.txt");
            form.Add(new StringContent("rag"), "type");
            form.Add(new StringContent(AssistantId), "assistant_id");
            DocumentId = (await SendAsync(HttpMethod.Post, "/api/documents", form)).GetProperty("id").GetString()!;
        }
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent("notes"u8.ToArray()), "file", "notes.txt");
            form.Add(new StringContent("assistants"), "purpose");
            FileId = (await SendAsync(HttpMethod.Post, "/v1/files", form)).GetProperty("id").GetString()!;
        }

        var thread = await PostJsonAsync("/v1/threads",
            new { messages = new[] { new { role = "user", content = "How many vacation days do I get?" } } });
        ThreadId = thread.GetProperty("id").GetString()!;
        var messages = await GetJsonAsync($"/v1/threads/{ThreadId}/messages");
        MessageId = messages.GetProperty("data")[0].GetProperty("id").GetString()!;
        RunId = (await PostJsonAsync($"/v1/threads/{ThreadId}/runs", new { assistant_id = AssistantId })).GetProperty("id").GetString()!;
        await Wait.UntilAsync(async () =>
            (await GetJsonAsync($"/v1/threads/{ThreadId}/runs/{RunId}")).GetProperty("status").GetString() is "completed" or "failed",
            TimeSpan.FromSeconds(60), "the run to finish");

        await SendAsync(HttpMethod.Put, $"/api/intents/{AssistantId}", JsonContent.Create(new
        {
            intents = new[]
            {
                new { name = "vacation", examples = new[] { "how many vacation days", "holiday allowance", "days off per year" } },
                new { name = "salary", examples = new[] { "when is payday", "salary date", "when do we get paid" } },
            },
        }));

        var key = await PostJsonAsync("/api/keys", new { name = "channel", assistants = new[] { AssistantId } });
        KeyId = key.GetProperty("id").GetString()!;
        KeySecret = key.GetProperty("key").GetString()!;
        using var channel = platform.Anonymous();
        channel.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", KeySecret);
        using var chat = await channel.PostAsJsonAsync("/api/chats/messages", new
        {
            assistant_id = AssistantId,
            channel = new { id = "+15550100", service = "whatsapp" },
            username = "ana",
            message = "How many vacation days?",
        });
        ChatId = (await Read(chat)).GetProperty("chat_id").GetString()!;
    }

    /// <summary>What this tenant's own objects look like now; compared before and after an attack.</summary>
    public async Task<string> SnapshotAsync()
    {
        var parts = new List<string>
        {
            await GetTextAsync($"/v1/assistants/{AssistantId}"),
            await GetTextAsync($"/v1/threads/{ThreadId}"),
            await GetTextAsync($"/v1/threads/{ThreadId}/messages/{MessageId}"),
            await GetTextAsync($"/v1/threads/{ThreadId}/runs/{RunId}"),
            await GetTextAsync($"/v1/files/{FileId}"),
            await GetTextAsync($"/v1/files/{FileId}/content"),
            await GetTextAsync($"/api/documents/{DocumentId}"),
            await GetTextAsync($"/api/intents/{AssistantId}"),
            await GetTextAsync($"/api/chats/{ChatId}"),
        };
        var keys = await GetJsonAsync("/api/keys");
        parts.Add(string.Join(",", keys.GetProperty("data").EnumerateArray()
            .Select(k => k.GetProperty("id").GetString() + ":" + k.GetProperty("name").GetString())));
        return string.Join("\n", parts);
    }

    public async Task<JsonElement> PostJsonAsync(string path, object body) =>
        await SendAsync(HttpMethod.Post, path, JsonContent.Create(body));

    public async Task<JsonElement> GetJsonAsync(string path) => await SendAsync(HttpMethod.Get, path, null);

    private async Task<string> GetTextAsync(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        using var response = await Client.SendAsync(request);
        return await Read(response);
    }

    private static async Task<JsonElement> Read(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static StringContent Utf8(string text, string mediaType) => new(text, Encoding.UTF8, mediaType);
}
