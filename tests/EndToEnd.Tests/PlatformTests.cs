using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Assistants;
using OpenAI.Chat;

namespace EndToEnd.Tests;

/// <summary>What a team does on day one, through the gateway only, with the official OpenAI SDK where it applies.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PlatformTests(Platform platform)
{
    private const string Handbook = """
        Vacation policy. Every full-time employee receives 25 vacation days per year. Unused days carry over until March.

        Expenses. Travel expenses are reimbursed within 14 days when the receipt is uploaded to the finance portal.
        """;

    [Fact]
    public async Task AnAssistantMadeWithTheOpenAISdkAnswersFromItsUploadedDocumentStreamedAndNot()
    {
        var (client, token) = await platform.NewUserAsync("ana");
        var assistantId = await CreateAssistantAsync(token, "HR helper");
        await UploadAsync(client, assistantId, "handbook.txt", Handbook);
        var chat = new OpenAIClient(new ApiKeyCredential(token), Options()).GetChatClient(assistantId);

        ChatCompletion answer = await chat.CompleteChatAsync([new UserChatMessage("How many vacation days do employees get per year?")]);
        var streamed = new StringBuilder();
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("When are travel expenses reimbursed?")]))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.Contains("25 vacation days", answer.Content[0].Text, StringComparison.Ordinal);
        Assert.Contains("14 days", streamed.ToString(), StringComparison.Ordinal);
        Assert.True(updates > 3, $"expected a stream of several updates, got {updates}");
    }

    [Fact]
    public async Task AnAssistantsRunThroughTheGatewayAnswersInItsThread()
    {
        var (client, token) = await platform.NewUserAsync("ben");
        var assistantId = await CreateAssistantAsync(token, "Runs helper");
        await UploadAsync(client, assistantId, "handbook.txt", Handbook);
        var assistants = new OpenAIClient(new ApiKeyCredential(token), Options()).GetAssistantClient();

        AssistantThread thread = await assistants.CreateThreadAsync();
        await assistants.CreateMessageAsync(thread.Id, MessageRole.User, [MessageContent.FromText("How many vacation days are there?")]);
        ThreadRun run = await assistants.CreateRunAsync(thread.Id, assistantId);
        while (!run.Status.IsTerminal)
        {
            await Task.Delay(100);
            run = await assistants.GetRunAsync(thread.Id, run.Id);
        }
        var messages = new List<ThreadMessage>();
        await foreach (var message in assistants.GetMessagesAsync(thread.Id, new MessageCollectionOptions { Order = MessageCollectionOrder.Ascending }))
        {
            messages.Add(message);
        }

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(2, messages.Count);
        Assert.Contains("25 vacation days", messages[1].Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApiKeyForOneAssistantChatsOnAChannelAndCannotReachAnother()
    {
        var (client, token) = await platform.NewUserAsync("carla");
        var allowed = await CreateAssistantAsync(token, "Channel bot");
        var other = await CreateAssistantAsync(token, "Private bot");
        await UploadAsync(client, allowed, "handbook.txt", Handbook);
        using var created = await client.PostAsJsonAsync("/api/keys", new { name = "whatsapp", assistants = new[] { allowed } });
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var bot = platform.Anonymous();
        bot.DefaultRequestHeaders.Add("X-API-Key", key);

        using var answered = await bot.PostAsJsonAsync("/api/chats/messages", new
        {
            channel = new { id = "chan-" + Guid.NewGuid().ToString("N")[..8], service = "whatsapp" },
            username = "dora",
            message = "How many vacation days do we get?",
            assistant_id = allowed,
        });
        using var refused = await bot.GetAsync(new Uri($"/v1/assistants/{other}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Contains("25 vacation days", await answered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"got {refused.StatusCode}");
    }

    [Fact]
    public async Task TheSameQuestionAskedTwiceIsServedFromTheIntentCacheTheSecondTimeNamingTheEntryFeedbackTakes()
    {
        var (client, token) = await platform.NewUserAsync("dan");
        var assistantId = await CreateAssistantAsync(token, "Cached bot");
        await UploadAsync(client, assistantId, "handbook.txt", Handbook);
        await PutVacationIntentsAsync(client, assistantId);

        var first = await AskAsync(client, assistantId, "How many vacation days do we get?");
        string? cacheHeader = null;
        string? second = null;
        string? entry = null;
        await Wait.UntilAsync(async () =>
        {
            (second, cacheHeader, entry) = await AskWithCacheHeaderAsync(client, assistantId, "How many vacation days do we get?");
            return cacheHeader == "hit";
        }, TimeSpan.FromSeconds(10), "the second answer to come from the cache");
        // The entry the answer names is the one a client reports wrong.
        using var feedback = await client.PostAsJsonAsync("/api/intent-cache/feedback", new { entry_id = entry, reason = "outdated" });
        var reported = await feedback.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(first, second);
        Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);
        Assert.Equal(entry, reported.GetProperty("entry_id").GetString());
        Assert.True(reported.GetProperty("evicted").GetBoolean());
    }

    [Fact]
    public async Task AQuestionTooLongToSearchOrCacheLeavesEveryoneElsesAnswersWithTheirDocumentsAndCache()
    {
        var (owner, ownerToken) = await platform.NewUserAsync("olga");
        var assistantId = await CreateAssistantAsync(ownerToken, "HR helper");
        await UploadAsync(owner, assistantId, "handbook.txt", Handbook);
        await PutVacationIntentsAsync(owner, assistantId);
        var (stranger, strangerToken) = await platform.NewUserAsync("max");
        var strangers = await CreateAssistantAsync(strangerToken, "Another bot");
        await PutVacationIntentsAsync(stranger, strangers);

        // Longer than document-service searches with (8,000 characters) and intent-cache-service takes (4,000): both
        // refused such a question with a 400 once, which chat-service took for an outage of each, for everyone.
        var pasted = string.Concat(Enumerable.Repeat("Please read all of this pasted text before answering. ", 200)) + "How many vacation days?";
        var longAnswer = await AskAsync(stranger, strangers, pasted);
        var answer = await AskAsync(owner, assistantId, "How many vacation days do we get?");

        Assert.NotEmpty(longAnswer);
        Assert.Contains("25 vacation days", answer, StringComparison.Ordinal);
        await Wait.UntilAsync(async () => (await AskWithCacheHeaderAsync(owner, assistantId, "How many vacation days do we get?")).Cache == "hit",
            TimeSpan.FromSeconds(10), "the repeat to come from the cache");
    }

    [Fact]
    public async Task SpeechAsksForAudioThroughTheGatewayAndGetsAWave()
    {
        var (client, _) = await platform.NewUserAsync("eve");

        using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input = "Hello there.", voice = "alloy", response_format = "wav" });
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.True(bytes.Length > 1000);
    }

    [Fact]
    public async Task WithoutCredentialsTheOpenAIRoutesAnswer401InOpenAIsShape()
    {
        using var anonymous = platform.Anonymous();

        using var response = await anonymous.GetAsync(new Uri("/v1/assistants", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(body.GetProperty("error").TryGetProperty("message", out _));
    }

    private OpenAIClientOptions Options() => new() { Endpoint = new Uri(platform.Gateway, "/v1") };

    private async Task<string> CreateAssistantAsync(string token, string name)
    {
        var assistants = new OpenAIClient(new ApiKeyCredential(token), Options()).GetAssistantClient();
        Assistant assistant = await assistants.CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions
        {
            Name = name,
            Instructions = "Answer from the company handbook.",
        });
        return assistant.Id;
    }

    private static async Task UploadAsync(HttpClient client, string assistantId, string fileName, string text)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", fileName);
        form.Add(new StringContent("rag"), "type");
        form.Add(new StringContent(assistantId), "assistant_id");
        using var response = await client.PostAsync(new Uri("/api/documents", UriKind.Relative), form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task PutVacationIntentsAsync(HttpClient client, string assistantId)
    {
        using var intents = await client.PutAsJsonAsync($"/api/intents/{assistantId}", new
        {
            intents = new object[]
            {
                new { name = "vacation_days", examples = new[] { "how many vacation days do we get", "how much holiday do I have", "number of vacation days per year", "what is my annual leave allowance" }, cacheable = true },
                new { name = "expenses", examples = new[] { "when are expenses reimbursed", "how do I get my travel costs back", "expense refund timing" }, cacheable = true },
            },
        });
        intents.EnsureSuccessStatusCode();
    }

    private static async Task<string> AskAsync(HttpClient client, string assistantId, string question) =>
        (await AskWithCacheHeaderAsync(client, assistantId, question)).Answer;

    private static async Task<(string Answer, string? Cache, string? Entry)> AskWithCacheHeaderAsync(HttpClient client, string assistantId, string question)
    {
        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId,
            messages = new[] { new { role = "user", content = question } },
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var answer = body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        return (answer, response.Headers.TryGetValues("X-Cache", out var values) ? values.First() : null,
            response.Headers.TryGetValues("X-Cache-Entry", out var entries) ? entries.First() : null);
    }
}
