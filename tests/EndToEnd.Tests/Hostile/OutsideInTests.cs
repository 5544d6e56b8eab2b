using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Assistants;
using OpenAI.Chat;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// What an outside audit through the gateway found, as a newcomer meets it with the official .NET SDK: values OpenAI
/// refuses are refused here with a 400 the SDK raises (not stored to break later reads, not passed to a model to come
/// back as a 502), an empty body is answered in plain words, lists page backwards as well as forwards, and a key's
/// scope names only its user's own assistants.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OutsideInTests(Platform platform)
{
    [Fact]
    public async Task MetadataTheSdkCannotReadIsRefusedSoEveryListStaysReadable()
    {
        var (client, token) = await platform.NewUserAsync("meta");
        var assistants = Sdk(token).GetAssistantClient();
        Assistant kept = await assistants.CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions { Metadata = { ["team"] = "hr" } });

        foreach (var (path, body) in new[]
        {
            ("/v1/assistants", """{"model":"gpt-4o-mini","metadata":{"team":1}}"""),
            ($"/v1/assistants/{kept.Id}", """{"metadata":{"team":{"name":"hr"}}}"""),
            ("/v1/threads", """{"metadata":"team"}"""),
            ("/v1/conversations", """{"metadata":{"team":true}}"""),
        })
        {
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_metadata", error.GetProperty("code").GetString());
        }

        var listed = new List<Assistant>();
        await foreach (var assistant in assistants.GetAssistantsAsync())
        {
            listed.Add(assistant);
        }
        Assert.Equal("hr", Assert.Single(listed).Metadata["team"]);
    }

    [Fact]
    public async Task SamplingOutsideOpenAIsRangesIsA400TheSdkRaisesWhereverAModelWouldBeAsked()
    {
        var (_, token) = await platform.NewUserAsync("sampling");
        var sdk = Sdk(token);
        var assistants = sdk.GetAssistantClient();
        Assistant assistant = await assistants.CreateAssistantAsync("gpt-4o-mini");
        AssistantThread thread = await assistants.CreateThreadAsync();

        var chat = await Assert.ThrowsAsync<ClientResultException>(() =>
            sdk.GetChatClient(assistant.Id).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { Temperature = 3f }));
        var run = await Assert.ThrowsAsync<ClientResultException>(() =>
            assistants.CreateRunAsync(thread.Id, assistant.Id, new RunCreationOptions { NucleusSamplingFactor = 1.5f }));

        Assert.Equal(400, chat.Status);
        Assert.Contains("temperature", chat.Message, StringComparison.Ordinal);
        Assert.Equal(400, run.Status);
        Assert.Contains("top_p", run.Message, StringComparison.Ordinal);
        var runs = new List<ThreadRun>();
        await foreach (var r in assistants.GetRunsAsync(thread.Id))
        {
            runs.Add(r);
        }
        Assert.Empty(runs);
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/assistants")]
    [InlineData("/v1/vector_stores")]
    public async Task AnEmptyBodyIsAnsweredInPlainWordsNotTheFrameworks(string path)
    {
        var (client, _) = await platform.NewUserAsync("empty");

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent("", Encoding.UTF8, "application/json"));
        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The request body is empty; send a JSON object.", message);
    }

    [Fact]
    public async Task VectorStoresPageBackwardsWithBeforeToTheFirstOne()
    {
        var (client, _) = await platform.NewUserAsync("pages");
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = $"store {i}" });
            created.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }
        var all = await IdsAsync(client, "/v1/vector_stores?limit=100");

        var walked = new List<string>();
        var cursor = all[^1];
        for (var more = true; more && walked.Count < all.Count;)
        {
            using var response = await client.GetAsync(new Uri($"/v1/vector_stores?limit=2&before={cursor}", UriKind.Relative));
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            walked.InsertRange(0, page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            more = page.GetProperty("has_more").GetBoolean();
            cursor = page.GetProperty("first_id").GetString()!;
        }

        Assert.Equal(created.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Equal(all[..^1], walked);
    }

    [Fact]
    public async Task AnApiKeyCannotBeScopedToAnotherUsersAssistant()
    {
        var (owner, ownerToken) = await platform.NewUserAsync("owner");
        var (thief, _) = await platform.NewUserAsync("thief");
        Assistant theirs = await Sdk(ownerToken).GetAssistantClient().CreateAssistantAsync("gpt-4o-mini");

        using var stolen = await thief.PostAsJsonAsync(new Uri("/api/keys", UriKind.Relative), new { name = "stolen", assistants = new[] { theirs.Id } });
        using var own = await owner.PostAsJsonAsync(new Uri("/api/keys", UriKind.Relative), new { name = "mine", assistants = new[] { theirs.Id } });
        using var thiefKeys = await thief.GetAsync(new Uri("/api/keys", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        Assert.Equal("assistant_not_found", (await stolen.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(0, (await thiefKeys.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task TheDocsOfEveryServiceThroughTheGatewayNameNoInternalAddressNorARouteItKeepsShut()
    {
        using var anonymous = platform.Anonymous();
        string[] shut = ["/api/intent-cache/lookup", "/api/intent-cache/store", "/api/intent-cache/hits",
            "/api/intent-cache/assistants/{assistant_id}", "/api/assistants/{assistant_id}/documents"];

        foreach (var service in new[] { "chat-service", "document-service", "intent-cache-service", "voice-service" })
        {
            var text = await anonymous.GetStringAsync(new Uri($"/docs/{service}/openapi.json", UriKind.Relative));
            var document = JsonDocument.Parse(text).RootElement;

            Assert.True(document.GetProperty("paths").EnumerateObject().Any(), $"{service} documents no operation");
            Assert.True(!document.TryGetProperty("servers", out var servers) || servers.GetArrayLength() == 0, $"{service} names servers");
            Assert.DoesNotMatch(@"127\.0\.0\.1|localhost:\d+|\[::1\]", text);
            Assert.Empty(document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Intersect(shut));
        }
    }

    private OpenAIClient Sdk(string token) => new(new ApiKeyCredential(token), new OpenAIClientOptions { Endpoint = new Uri(platform.Gateway, "/v1") });

    private static async Task<List<string>> IdsAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var list = await response.Content.ReadFromJsonAsync<JsonElement>();
        return list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
    }
}
