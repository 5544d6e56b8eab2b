using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI.Assistants;

namespace ChatService.Tests;

/// <summary>
/// Values OpenAI's API refuses are refused here too, with a 400 in OpenAI's shape, before anything is stored or a
/// model is asked: a stored value the SDKs cannot read, or a value a real provider refuses, would surface later as a
/// failure that is not the client's to understand.
/// </summary>
public sealed class RequestValidationTests
{
    public static TheoryData<string> BadMetadata => new()
    {
        """{"team":1}""",
        """{"team":{"name":"docs"}}""",
        """{"team":null}""",
        "\"team\"",
        "[\"team\"]",
        $$"""{"{{new string('k', 65)}}":"v"}""",
        $$"""{"team":"{{new string('v', 513)}}"}""",
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public async Task MetadataThatIsNotAnObjectOfShortStringsIsRefusedWhereverItIsStoredAndNothingIsKept(string metadata)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_metadata");
        var assistant = await client.CreateAssistantAsync();
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        string[] creates =
        [
            $$"""POST /v1/assistants {"model":"gpt-4o-mini","metadata":{{metadata}}}""",
            $$"""POST /v1/assistants/{{assistant}} {"metadata":{{metadata}}}""",
            $$"""POST /v1/threads {"metadata":{{metadata}}}""",
            $$"""POST /v1/threads/{{thread}} {"metadata":{{metadata}}}""",
            $$"""POST /v1/threads/{{thread}}/messages {"role":"user","content":"hi","metadata":{{metadata}}}""",
            $$"""POST /v1/threads/{{thread}}/runs {"assistant_id":"{{assistant}}","metadata":{{metadata}}}""",
            $$"""POST /v1/threads/runs {"assistant_id":"{{assistant}}","metadata":{{metadata}}}""",
            $$"""POST /v1/conversations {"metadata":{{metadata}}}""",
            $$"""POST /v1/responses {"model":"{{assistant}}","input":"hi","metadata":{{metadata}}}""",
        ];

        foreach (var create in creates)
        {
            var (path, body) = (create.Split(' ')[1], create[(create.IndexOf('{', StringComparison.Ordinal))..]);
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)response.StatusCode}: {text}");
            Assert.Equal("invalid_metadata", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        // Nothing was made or changed, so the SDK (which reads metadata as strings) still reads every list.
        var sdk = factory.Sdk("usr_metadata").GetAssistantClient();
        var assistants = new List<Assistant>();
        await foreach (var a in sdk.GetAssistantsAsync())
        {
            assistants.Add(a);
        }
        Assert.Equal([assistant], assistants.Select(a => a.Id));
        Assert.Empty(assistants[0].Metadata);
        Assert.Empty((await sdk.GetThreadAsync(thread)).Value.Metadata);
        var threads = await (await client.GetAsync("/v1/threads")).JsonAsync();
        Assert.Equal([thread], threads.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var messages = await (await client.GetAsync($"/v1/threads/{thread}/messages")).JsonAsync();
        Assert.Equal(0, messages.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task SixteenShortStringValuesAreStoredAndReadBackByTheSdk()
    {
        await using var factory = TestSupport.Service();
        var sdk = factory.Sdk("usr_metadata_ok").GetAssistantClient();
        var options = new AssistantCreationOptions();
        for (var i = 0; i < 16; i++)
        {
            options.Metadata[$"k{i}".PadRight(64, 'x')] = new string('v', 512);
        }

        Assistant created = await sdk.CreateAssistantAsync("gpt-4o-mini", options);

        Assert.Equal(16, (await sdk.GetAssistantAsync(created.Id)).Value.Metadata.Count);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":null}]""", "messages[0].content")]
    [InlineData("""[{"role":"user"}]""", "messages[0].content")]
    [InlineData("""[{"role":"system","content":null},{"role":"user","content":"hi"}]""", "messages[0].content")]
    [InlineData("""[{"role":"user","content":"hi"},{"role":"assistant","content":null},{"role":"user","content":"and?"}]""", "messages[1].content")]
    public async Task AMessageWithoutContentIsRefusedNamingItUnlessItIsAnAssistantCallingTools(string messages, string param)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "hi", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_no_content");

        using var response = await client.PostAsync("/v1/chat/completions",
            new StringContent($$"""{"model":"gpt-4o-mini","messages":{{messages}}}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("missing_content", error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Empty(model.Requests);
    }

    [Theory]
    [InlineData("temperature", 9, "invalid_temperature")]
    [InlineData("temperature", -0.5, "invalid_temperature")]
    [InlineData("top_p", 1.5, "invalid_top_p")]
    public async Task SamplingOutsideOpenAIsRangesIsRefusedBeforeAModelIsAsked(string field, double value, string code)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_sampling");
        var assistant = await client.CreateAssistantAsync();
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        var sampling = $"\"{field}\":{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        (string Path, string Body)[] requests =
        [
            ("/v1/chat/completions", $$"""{"model":"{{assistant}}","messages":[{"role":"user","content":"hi"}],{{sampling}}}"""),
            ("/v1/chat/completions", $$"""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}],{{sampling}}}"""),
            ($"/v1/threads/{thread}/runs", $$"""{"assistant_id":"{{assistant}}",{{sampling}}}"""),
            ("/v1/threads/runs", $$"""{"assistant_id":"{{assistant}}",{{sampling}}}"""),
            ("/v1/responses", $$"""{"model":"{{assistant}}","input":"hi",{{sampling}}}"""),
            ("/v1/assistants", $$"""{"model":"gpt-4o-mini",{{sampling}}}"""),
        ];

        foreach (var (path, body) in requests)
        {
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)response.StatusCode}: {text}");
            Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        // No run started on the thread, and the refused thread-and-run left no thread of its own behind.
        var runs = await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync();
        Assert.Equal(0, runs.GetProperty("data").GetArrayLength());
        var threads = await (await client.GetAsync("/v1/threads")).JsonAsync();
        Assert.Equal([thread], threads.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task TheSdkSeesARefusedTemperatureAsA400()
    {
        await using var factory = TestSupport.Service();
        var chat = factory.Sdk("usr_sampling_sdk").GetChatClient("gpt-4o-mini");

        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            chat.CompleteChatAsync([new OpenAI.Chat.UserChatMessage("hi")], new OpenAI.Chat.ChatCompletionOptions { Temperature = 3f }));

        Assert.Equal(400, refused.Status);
    }
}
