using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AppHost.Tests;

/// <summary>A user's session against a running platform, through the gateway only: what a client does on day one.</summary>
internal sealed class PlatformTraffic(int gatewayPort) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}"), Timeout = TimeSpan.FromSeconds(60) };

    public string AssistantId { get; private set; } = "";

    /// <summary>Registers, logs in, creates an assistant and uploads a document to it.</summary>
    public async Task SignUpWithAnAssistantAsync()
    {
        var email = $"ops-{Guid.NewGuid():N}@example.com";
        const string password = "correct horse battery staple 42";
        (await _http.PostAsJsonAsync("/auth/register", new { name = "ops", email, password })).EnsureSuccessStatusCode();
        using var login = await _http.PostAsJsonAsync("/auth/login", new { email, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var assistant = await _http.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "Ops", instructions = "Answer from the handbook." });
        assistant.EnsureSuccessStatusCode();
        AssistantId = (await assistant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent("Every employee receives 25 vacation days per year."u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", "handbook.txt");
        form.Add(new StringContent("rag"), "type");
        form.Add(new StringContent(AssistantId), "assistant_id");
        (await _http.PostAsync(new Uri("/api/documents", UriKind.Relative), form)).EnsureSuccessStatusCode();
    }

    public async Task<string> AskAsync(string question)
    {
        using var response = await _http.PostAsJsonAsync("/v1/chat/completions", Completion(question, stream: false));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    /// <summary>Starts a streamed answer and reads its first event, leaving the response (and its connection) open.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string question)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Completion(question, stream: true)) };
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        var first = await reader.ReadLineAsync();
        Assert.StartsWith("data:", first, StringComparison.Ordinal);
        return response;
    }

    private object Completion(string question, bool stream) =>
        new { model = AssistantId, stream, messages = new[] { new { role = "user", content = question } } };

    public void Dispose() => _http.Dispose();
}
