using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI;
using OpenAI.Files;
using OpenAI.Responses;
using OpenAI.VectorStores;

namespace EndToEnd.Tests.Responses;

/// <summary>
/// The Responses and Conversations APIs through the gateway with both official SDKs, unchanged: the .NET OpenAI
/// package and the openai npm package (its strict stream accumulator included), and the npm package's function calling
/// on chat completions. Run on SQLite and on PostgreSQL.
/// </summary>
public abstract class ResponsesSdkTests(Platform platform)
{
    private static readonly BinaryData WeatherParameters = BinaryData.FromString(
        """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""");

    private async Task<(OpenAIClient Sdk, string Token, HttpClient Http)> UserAsync(string name)
    {
        var (http, token) = await platform.NewUserAsync(name);
        return (new OpenAIClient(new ApiKeyCredential(token), new OpenAIClientOptions { Endpoint = new Uri(platform.Gateway, "/v1") }), token, http);
    }

    [Fact]
    public async Task TheDotnetSdkStreamsAResponseInOrderAndContinuesItThroughPreviousResponseId()
    {
        var (sdk, _, http) = await UserAsync("dotnet-stream");
        using var _ = http;
        var client = sdk.GetResponsesClient();

        var updates = new List<StreamingResponseUpdate>();
        await foreach (var update in await client.CreateResponseStreamingAsync("gpt-4o-mini", "Hello there"))
        {
            updates.Add(update);
        }
        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]);
        ResponseResult next = await client.CreateResponseAsync("gpt-4o-mini", "And once more?", previousResponseId: completed.Response.Id);

        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.Equal(Enumerable.Range(updates[0].SequenceNumber, updates.Count), updates.Select(u => u.SequenceNumber));
        var text = string.Concat(updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(d => d.Delta));
        Assert.Equal(text, completed.Response.GetOutputText());
        Assert.Equal(completed.Response.Id, next.PreviousResponseId);
        Assert.Equal(ResponseStatus.Completed, next.Status);
    }

    [Fact]
    public async Task TheDotnetSdkGetsAFunctionCallAndContinuesWithItsOutput()
    {
        var (sdk, _, http) = await UserAsync("dotnet-tools");
        using var _ = http;
        var client = sdk.GetResponsesClient();
        var tool = ResponseTool.CreateFunctionTool("get_weather", WeatherParameters, strictModeEnabled: true, functionDescription: "Weather of a city");
        var ask = new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("Weather in Oslo?")]) { ToolChoice = ResponseToolChoice.CreateRequiredChoice() };
        ask.Tools.Add(tool);

        ResponseResult first = await client.CreateResponseAsync(ask);
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        var answer = new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "Rain, 12 degrees")]) { PreviousResponseId = first.Id };
        answer.Tools.Add(tool);
        ResponseResult second = await client.CreateResponseAsync(answer);

        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("The function get_weather returned: Rain, 12 degrees", second.GetOutputText());
    }

    [Fact]
    public async Task TheDotnetSdkContinuesAConversationAndListsItsItems()
    {
        var (sdk, _, http) = await UserAsync("dotnet-conversation");
        using var _ = http;
        var conversations = sdk.GetConversationClient();
        var created = await conversations.CreateConversationAsync(BinaryContent.Create(BinaryData.FromString("""{"metadata":{"channel":"web"}}""")));
        var conversationId = JsonDocument.Parse(created.GetRawResponse().Content).RootElement.GetProperty("id").GetString()!;

        foreach (var question in new[] { "First question", "Second question" })
        {
            await sdk.GetResponsesClient().CreateResponseAsync(new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem(question)])
            {
                ConversationOptions = new ResponseConversationOptions(conversationId),
            });
        }
        var roles = new List<string?>();
        await foreach (var page in conversations.GetConversationItemsAsync(conversationId, limit: 3, order: "asc").GetRawPagesAsync())
        {
            roles.AddRange(JsonDocument.Parse(page.GetRawResponse().Content).RootElement.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("role").GetString()));
        }
        var mine = await http.GetFromJsonAsync<JsonElement>("/api/conversations");

        Assert.Equal(["user", "assistant", "user", "assistant"], roles);
        Assert.Equal(conversationId, Assert.Single(mine.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task TheNpmPackageCreatesRetrievesCountsChainsAndListsInputItems()
    {
        var (_, token, http) = await UserAsync("npm-create");
        using var _ = http;
        var result = await NodeSdk.RunAsync(platform.Gateway, token, "create");

        var id = result.GetProperty("response").GetProperty("id").GetString();
        Assert.Equal("completed", result.GetProperty("response").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("response").GetProperty("output_text").GetString()));
        Assert.Equal(id, result.GetProperty("again").GetProperty("id").GetString());
        Assert.Equal("Be brief.", result.GetProperty("response").GetProperty("instructions").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("next").GetProperty("instructions").ValueKind);
        Assert.Equal(id, result.GetProperty("next").GetProperty("previous_response_id").GetString());
        Assert.Equal("response.input_tokens", result.GetProperty("counted").GetProperty("object").GetString());
        Assert.Equal(result.GetProperty("next").GetProperty("usage").GetProperty("input_tokens").GetInt32(),
            result.GetProperty("counted").GetProperty("input_tokens").GetInt32());
        Assert.Equal("Hello there", Assert.Single(result.GetProperty("inputs").EnumerateArray()).GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task TheNpmPackageCompactsAChainAndItsOutputFeedsTheNextCreate()
    {
        var (_, token, http) = await UserAsync("npm-compact");
        using var _ = http;
        var result = await NodeSdk.RunAsync(platform.Gateway, token, "compact");

        var compacted = result.GetProperty("compacted");
        Assert.Equal("response.compaction", compacted.GetProperty("object").GetString());
        var output = compacted.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["message", "compaction"], output.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("When does the Oslo office open?", output[0].GetProperty("content")[0].GetProperty("text").GetString());
        var sealedSummary = output[1].GetProperty("encrypted_content").GetString()!;
        Assert.False(string.IsNullOrEmpty(sealedSummary));
        Assert.DoesNotContain("Oslo", sealedSummary, StringComparison.Ordinal);
        var usage = compacted.GetProperty("usage");
        Assert.True(usage.GetProperty("output_tokens").GetInt32() > 0);
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        var next = result.GetProperty("next");
        Assert.Equal("completed", next.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(next.GetProperty("output_text").GetString()));
        Assert.Equal(next.GetProperty("usage").GetProperty("input_tokens").GetInt32(), result.GetProperty("counted").GetProperty("input_tokens").GetInt32());
        Assert.Equal(["message", "compaction", "message"], result.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        Assert.Equal(sealedSummary, result.GetProperty("inputs")[1].GetProperty("encrypted_content").GetString());
        var forged = result.GetProperty("forged");
        Assert.Equal(400, forged.GetProperty("status").GetInt32());
        Assert.Equal("invalid_value", forged.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TheNpmPackageRunsAResponseInTheBackgroundPollsItToCompletionAndResumesABackgroundStream()
    {
        var (_, token, http) = await UserAsync("npm-background");
        using var _ = http;
        var result = await NodeSdk.RunAsync(platform.Gateway, token, "background");

        var created = result.GetProperty("created");
        Assert.Equal("queued", created.GetProperty("status").GetString());
        Assert.True(created.GetProperty("background").GetBoolean());
        Assert.Empty(created.GetProperty("output").EnumerateArray());
        var final = result.GetProperty("final");
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.True(final.GetProperty("background").GetBoolean());
        Assert.False(string.IsNullOrEmpty(final.GetProperty("output_text").GetString()));
        Assert.True(final.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        Assert.All(result.GetProperty("seen").EnumerateArray().SkipLast(1), s => Assert.Contains(s.GetString(), new[] { "queued", "in_progress" }));
        var events = result.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["response.created", "response.queued", "response.in_progress"], events.Take(3).Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("response.completed", events[^1].GetProperty("type").GetString());
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.GetProperty("sequence_number").GetInt32()));
        Assert.Equal(events.Skip(3).Select(e => e.GetProperty("sequence_number").GetInt32()),
            result.GetProperty("resumed").EnumerateArray().Select(e => e.GetProperty("sequence_number").GetInt32()));
    }

    [Fact]
    public async Task TheNpmStreamHelperAccumulatesEveryEventIntoTheFinalResponse()
    {
        var (_, token, http) = await UserAsync("npm-stream");
        using var _ = http;
        var result = await NodeSdk.RunAsync(platform.Gateway, token, "stream");

        var events = result.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("response.created", events[0].GetProperty("type").GetString());
        Assert.Equal("response.completed", events[^1].GetProperty("type").GetString());
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.GetProperty("sequence_number").GetInt32()));
        Assert.Equal("completed", result.GetProperty("final").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("final").GetProperty("output_text").GetString()));
    }

    [Fact]
    public async Task TheNpmPackageStreamsAFunctionCallAndContinuesWithItsOutput()
    {
        var (_, token, http) = await UserAsync("npm-tools");
        using var _ = http;
        var result = await NodeSdk.RunAsync(platform.Gateway, token, "tools");

        Assert.Contains(result.GetProperty("first").GetProperty("events").EnumerateArray(),
            e => e.GetProperty("type").GetString() == "response.function_call_arguments.done");
        Assert.Equal("get_weather", result.GetProperty("call").GetProperty("name").GetString());
        Assert.Equal("The function get_weather returned: Rain, 12 degrees", result.GetProperty("second").GetProperty("output_text").GetString());
    }

    [Fact]
    public async Task TheNpmPackageCallsAFunctionThroughChatCompletionsStreamedAndNotAndRunsItsToolLoop()
    {
        var (_, token, http) = await UserAsync("npm-chat-tools");
        using var _ = http;
        var result = await NodeSdk.RunAsync(platform.Gateway, token, "chatTools");

        var first = result.GetProperty("first").GetProperty("choices")[0];
        var call = Assert.Single(first.GetProperty("message").GetProperty("tool_calls").EnumerateArray()).GetProperty("function");
        Assert.Equal("tool_calls", first.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("message").GetProperty("content").ValueKind);
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("Weather in Oslo?", call.GetProperty("parsed_arguments").GetProperty("city").GetString());
        Assert.True(result.GetProperty("first").GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.Equal("The function get_weather returned: Rain, 12 degrees",
            result.GetProperty("second").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("The function get_time returned: 12:00", result.GetProperty("loop").GetProperty("content").GetString());
        Assert.Equal(["tool_calls", "stop"], result.GetProperty("loop").GetProperty("finishes").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task TheNpmPackageManagesAConversationAndItsItems()
    {
        var (_, token, http) = await UserAsync("npm-conversation");
        using var _ = http;
        var result = await NodeSdk.RunAsync(platform.Gateway, token, "conversation");

        Assert.Equal("trip", result.GetProperty("conversation").GetProperty("metadata").GetProperty("topic").GetString());
        Assert.Equal("oslo", result.GetProperty("updated").GetProperty("metadata").GetProperty("topic").GetString());
        Assert.Equal("completed", result.GetProperty("second").GetProperty("final").GetProperty("status").GetString());
        // The initial item, then each response's input and output, in order, read two at a time.
        Assert.Equal(["user", "user", "assistant", "user", "assistant"],
            result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("role").GetString()));
        Assert.Equal("Thanks!", result.GetProperty("one").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(result.GetProperty("conversation").GetProperty("id").GetString(), result.GetProperty("afterDelete").GetProperty("id").GetString());
        Assert.True(result.GetProperty("deleted").GetProperty("deleted").GetBoolean());
        Assert.Equal(404, result.GetProperty("gone").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task BothSdksSearchAVectorStoreAndGetTheAnswerWithItsFileCitation()
    {
        var (sdk, token, http) = await UserAsync("file-search");
        using var _ = http;
        OpenAIFile file = await sdk.GetOpenAIFileClient().UploadFileAsync(
            BinaryData.FromString("Parental leave. New parents receive 16 weeks of paid parental leave, to be taken within the first year."),
            "parental.md", FileUploadPurpose.Assistants);
        VectorStore store = await sdk.GetVectorStoreClient().CreateVectorStoreAsync(new VectorStoreCreationOptions { Name = "Benefits", FileIds = { file.Id } });
        var options = new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("How many weeks of parental leave do new parents get?")]);
        options.Tools.Add(ResponseTool.CreateFileSearchTool([store.Id]));
        options.IncludedProperties.Add(IncludedResponseProperty.FileSearchCallResults);

        ResponseResult answer = await sdk.GetResponsesClient().CreateResponseAsync(options);
        var npm = await NodeSdk.RunAsync(platform.Gateway, token, "fileSearch");

        var search = Assert.IsType<FileSearchCallResponseItem>(answer.OutputItems[0]);
        Assert.Equal(file.Id, Assert.Single(search.Results).FileId);
        var message = Assert.IsAssignableFrom<MessageResponseItem>(answer.OutputItems[1]);
        Assert.Contains("16 weeks", message.Content[0].Text);
        Assert.NotEmpty(message.Content[0].OutputTextAnnotations);
        Assert.All(message.Content[0].OutputTextAnnotations, a => Assert.Equal(file.Id, Assert.IsType<FileCitationMessageAnnotation>(a).FileId));
        var final = npm.GetProperty("final");
        Assert.Equal("file_search_call", final.GetProperty("output")[0].GetProperty("type").GetString());
        Assert.Equal(npm.GetProperty("file").GetString(),
            final.GetProperty("output")[1].GetProperty("content")[0].GetProperty("annotations")[0].GetProperty("file_id").GetString());
        Assert.Contains("16 weeks", final.GetProperty("output_text").GetString());
    }

    [Fact]
    public async Task BothSdksHearA400ForConversationWithPreviousResponseIdAndA404ForUnknownAndForeignResponses()
    {
        var (ownerSdk, _, ownerHttp) = await UserAsync("errors-owner");
        var (sdk, token, http) = await UserAsync("errors-stranger");
        using var _ = ownerHttp;
        using var __ = http;
        ResponseResult foreign = await ownerSdk.GetResponsesClient().CreateResponseAsync("gpt-4o-mini", "Private question");

        var result = await NodeSdk.RunAsync(platform.Gateway, token, "errors", ("FOREIGN_RESPONSE_ID", foreign.Id));
        var both = await Assert.ThrowsAsync<ClientResultException>(() => sdk.GetResponsesClient().CreateResponseAsync(
            new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("hi")])
            {
                PreviousResponseId = foreign.Id,
                ConversationOptions = new ResponseConversationOptions("conv_any"),
            }));
        var stranger = await Assert.ThrowsAsync<ClientResultException>(() => sdk.GetResponsesClient().GetResponseAsync(foreign.Id));

        Assert.Equal(400, result.GetProperty("both").GetProperty("status").GetInt32());
        Assert.Equal("invalid_request_error", result.GetProperty("both").GetProperty("type").GetString());
        Assert.Equal(404, result.GetProperty("unknown").GetProperty("status").GetInt32());
        Assert.Equal(404, result.GetProperty("foreign").GetProperty("status").GetInt32());
        Assert.Equal(400, both.Status);
        Assert.Equal(404, stranger.Status);
    }

    /// <summary>
    /// Each request reserves about 1,030 tokens of the key's 1,100 a minute (its size plus max_output_tokens); only
    /// when the gateway settles each to the response's real usage (a few dozen tokens) does the next one fit.
    /// </summary>
    [Fact]
    public async Task AKeysTokenBudgetIsChargedWhatEachResponseUsedStreamedOrNot()
    {
        var (_, _, http) = await UserAsync("tpm");
        using var _ = http;
        using var assistant = await http.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "Brief", instructions = "Answer briefly." });
        var assistantId = (await assistant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var key = await http.PostAsJsonAsync("/api/keys", new { name = "metered", assistants = new[] { assistantId }, tpm = 1100 });
        using var bot = platform.Anonymous();
        bot.DefaultRequestHeaders.Add("X-API-Key", (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());

        var statuses = new List<int>();
        foreach (var stream in new[] { false, true, false })
        {
            using var response = await bot.PostAsJsonAsync("/v1/responses", new { model = assistantId, input = "Is the office open on Sundays?", max_output_tokens = 1000, stream });
            await response.Content.ReadAsStringAsync();
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([200, 200, 200], statuses);
    }

    [Fact]
    public async Task AKeyScopedToAnAssistantAnswersAsItAndSeesNoneOfItsUsersOtherResponses()
    {
        var (sdk, _, http) = await UserAsync("scoped");
        using var _ = http;
        using var assistant = await http.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "Helper", instructions = "Answer briefly." });
        var assistantId = (await assistant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var key = await http.PostAsJsonAsync("/api/keys", new { name = "bot", assistants = new[] { assistantId } });
        var secret = (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var keySdk = new OpenAIClient(new ApiKeyCredential(secret), new OpenAIClientOptions { Endpoint = new Uri(platform.Gateway, "/v1") });
        ResponseResult sessions = await sdk.GetResponsesClient().CreateResponseAsync("gpt-4o-mini", "Session question");

        ResponseResult asAssistant = await keySdk.GetResponsesClient().CreateResponseAsync(assistantId, "Key question");
        var hidden = await Assert.ThrowsAsync<ClientResultException>(() => keySdk.GetResponsesClient().GetResponseAsync(sessions.Id));
        var plainModel = await Assert.ThrowsAsync<ClientResultException>(() => keySdk.GetResponsesClient().CreateResponseAsync("gpt-4o-mini", "x"));
        ResponseResult ownerSees = await sdk.GetResponsesClient().GetResponseAsync(asAssistant.Id);

        Assert.Equal(ResponseStatus.Completed, asAssistant.Status);
        Assert.Equal(404, hidden.Status);
        Assert.Equal(403, plainModel.Status);
        Assert.Equal(assistantId, ownerSees.Model);
    }
}

[Collection(PlatformCollection.Name)]
public sealed class ResponsesOnSqliteTests(Platform platform) : ResponsesSdkTests(platform);

[Collection(PostgresPlatformCollection.Name)]
public sealed class ResponsesOnPostgresTests(PostgresPlatform platform) : ResponsesSdkTests(platform)
{
    [Fact]
    public async Task ChatServiceKeepsItsResponsesInPostgreSql() =>
        Assert.StartsWith("Host=", await platform.ConnectionStringAsync("chatdb"));
}
