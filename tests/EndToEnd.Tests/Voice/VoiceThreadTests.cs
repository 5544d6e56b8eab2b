using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests.Voice;

/// <summary>
/// A spoken turn that names a thread once answered in full and kept nothing: the thread stayed empty, and an unknown
/// thread was answered as well as a real one. Now the question and the spoken answer are the thread's next turn.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class VoiceThreadTests(Platform platform)
{
    [Fact]
    public async Task ASpokenTurnNamingAThreadIsKeptInThatThreadAsItsNextQuestionAndAnswer()
    {
        var (client, _) = await platform.NewUserAsync("voice-thread");
        var assistantId = await AssistantAsync(client);
        var threadId = (await (await client.PostAsJsonAsync("/v1/threads", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var (status, spoken) = await SpeakAsync(client, new { prompt = "Where is the office?", assistant_id = assistantId, thread_id = threadId });
        var messages = (await client.GetFromJsonAsync<JsonElement>($"/v1/threads/{threadId}/messages?order=asc")).GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["user", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Where is the office?", TextOf(messages[0]));
        Assert.False(string.IsNullOrWhiteSpace(spoken));
        Assert.Equal(spoken, TextOf(messages[1]));
    }

    [Fact]
    public async Task AThreadThatIsNotTheCallersIsA404AndNothingIsSpoken()
    {
        var (owner, _) = await platform.NewUserAsync("voice-owner");
        var (stranger, _) = await platform.NewUserAsync("voice-stranger");
        var theirs = (await (await owner.PostAsJsonAsync("/v1/threads", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var assistantId = await AssistantAsync(stranger);

        var (unknown, _) = await SpeakAsync(stranger, new { prompt = "Hello?", assistant_id = assistantId, thread_id = "thread_doesnotexist" });
        var (foreign, _) = await SpeakAsync(stranger, new { prompt = "Hello?", assistant_id = assistantId, thread_id = theirs });
        var kept = (await owner.GetFromJsonAsync<JsonElement>($"/v1/threads/{theirs}/messages")).GetProperty("data").GetArrayLength();

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.NotFound, foreign);
        Assert.Equal(0, kept);
    }

    private static async Task<string> AssistantAsync(HttpClient client)
    {
        using var created = await client.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "Voice", instructions = "Answer briefly." });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>The turn's status and the text its SSE stream spoke (its text.delta events, joined).</summary>
    private static async Task<(HttpStatusCode Status, string Text)> SpeakAsync(HttpClient client, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/voice/speak") { Content = JsonContent.Create(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request);
        var text = string.Concat((await response.Content.ReadAsStringAsync()).Split('\n')
            .Where(line => line.StartsWith("data:", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line[5..]).RootElement)
            .Where(data => data.ValueKind == JsonValueKind.Object && data.TryGetProperty("delta", out _))
            .Select(data => data.GetProperty("delta").GetString()));
        return (response.StatusCode, text);
    }

    private static string? TextOf(JsonElement message) => message.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString();
}
