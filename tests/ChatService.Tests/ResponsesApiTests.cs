using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI.Conversations;
using OpenAI.Responses;

namespace ChatService.Tests;

/// <summary>/v1/responses and /v1/conversations on the offline responder, through the official .NET SDK where it has a call.</summary>
public sealed class ResponsesApiTests
{
    private static readonly BinaryData WeatherParameters = BinaryData.FromString(
        """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""");

    [Fact]
    public async Task AStreamedResponseAnnouncesEveryItemAndPartBeforeItsDeltasWithStrictlyIncreasingSequenceNumbers()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_stream");
        using var response = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello there", stream = true });
        var events = ParseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"],
            events.Take(4).Select(e => e.Type));
        Assert.Equal(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            events.TakeLast(4).Select(e => e.Type));
        Assert.All(events.Skip(4).SkipLast(4), e => Assert.Equal("response.output_text.delta", e.Type));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        var completed = events[^1].Data.GetProperty("response");
        var text = string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        Assert.Equal(text, completed.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.True(completed.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task TheSdkCreatesRetrievesListsTheInputOfAndDeletesAResponse()
    {
        await using var service = TestSupport.Service();
        var client = service.Sdk("usr_sdk").GetResponsesClient();

        ResponseResult created = await client.CreateResponseAsync("gpt-4o-mini", "What is the leave policy?");
        ResponseResult fetched = await client.GetResponseAsync(created.Id);
        var inputs = await client.GetResponseInputItemsAsync(created.Id).ToListAsync();
        ResponseDeletionResult deleted = await client.DeleteResponseAsync(created.Id);

        Assert.Equal(ResponseStatus.Completed, created.Status);
        Assert.Equal(created.GetOutputText(), fetched.GetOutputText());
        Assert.False(string.IsNullOrEmpty(created.GetOutputText()));
        var input = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(inputs));
        Assert.Equal("What is the leave policy?", input.Content[0].Text);
        Assert.True(deleted.Deleted);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(created.Id));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task ARequiredFunctionToolComesBackAsACallAndItsOutputContinuesThroughPreviousResponseId()
    {
        await using var service = TestSupport.Service();
        var client = service.Sdk("usr_tools").GetResponsesClient();
        var options = new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("Weather in Oslo?")])
        {
            ToolChoice = ResponseToolChoice.CreateRequiredChoice(),
        };
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", WeatherParameters, strictModeEnabled: true, functionDescription: "Weather of a city"));

        ResponseResult first = await client.CreateResponseAsync(options);
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        var followUp = new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "12 degrees and rain")])
        {
            PreviousResponseId = first.Id,
        };
        followUp.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", WeatherParameters, strictModeEnabled: true, functionDescription: "Weather of a city"));
        ResponseResult second = await client.CreateResponseAsync(followUp);

        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Weather in Oslo?", JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());
        Assert.Equal("The function get_weather returned: 12 degrees and rain", second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);
    }

    [Fact]
    public async Task AConversationKeepsTheInputAndOutputOfEachResponseInOrder()
    {
        await using var service = TestSupport.Service();
        var sdk = service.Sdk("usr_conv");
        var conversations = sdk.GetConversationClient();
        var responses = sdk.GetResponsesClient();

        var created = await conversations.CreateConversationAsync(BinaryContent.Create(BinaryData.FromObjectAsJson(new
        {
            metadata = new { topic = "weather" },
            items = new[] { new { type = "message", role = "user", content = "I live in Oslo." } },
        })));
        var conversationId = JsonDocument.Parse(created.GetRawResponse().Content).RootElement.GetProperty("id").GetString()!;
        var options = new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("Is it cold?")])
        {
            ConversationOptions = new ResponseConversationOptions(conversationId),
        };
        ResponseResult answer = await responses.CreateResponseAsync(options);
        var items = new List<JsonElement>();
        await foreach (var page in conversations.GetConversationItemsAsync(conversationId, order: "asc").GetRawPagesAsync())
        {
            items.AddRange(JsonDocument.Parse(page.GetRawResponse().Content).RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone()));
        }

        Assert.Equal(conversationId, answer.ConversationOptions.ConversationId);
        Assert.Equal(["I live in Oslo.", "Is it cold?", answer.GetOutputText()],
            items.Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.Equal(["user", "user", "assistant"], items.Select(i => i.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task ConversationAndPreviousResponseIdTogetherAreA400InOpenAIsErrorBody()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_both");
        using var response = await http.PostAsJsonAsync("/v1/responses",
            new { model = "gpt-4o-mini", input = "hi", conversation = "conv_x", previous_response_id = "resp_y" });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("previous_response_id", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnotherUsersResponseAndConversationAreAnsweredAsUnknown()
    {
        await using var service = TestSupport.Service();
        using var owner = service.Client("usr_owner");
        using var stranger = service.Client("usr_stranger");
        var response = await (await owner.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "mine" })).JsonAsync();
        var conversation = await (await owner.PostAsJsonAsync("/v1/conversations", new { })).JsonAsync();
        var responseId = response.GetProperty("id").GetString();
        var conversationId = conversation.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v1/responses/{responseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v1/conversations/{conversationId}")).StatusCode);
        using var continued = await stranger.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "x", previous_response_id = responseId });
        Assert.Equal(HttpStatusCode.NotFound, continued.StatusCode);
        var mine = await (await owner.GetAsync("/api/conversations")).JsonAsync();
        var theirs = await (await stranger.GetAsync("/api/conversations")).JsonAsync();
        Assert.Equal(conversationId, Assert.Single(mine.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(theirs.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task AStoredStreamReplaysFromAnySequenceNumber()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_replay");
        using var created = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Tell me something", stream = true });
        var original = ParseEvents(await created.Content.ReadAsStringAsync());
        var id = original[0].Data.GetProperty("response").GetProperty("id").GetString();

        var replay = ParseEvents(await http.GetStringAsync($"/v1/responses/{id}?stream=true&starting_after=2"));

        Assert.Equal(original.Skip(3).Select(e => e.Data.GetRawText()), replay.Select(e => e.Data.GetRawText()));
    }

    [Fact]
    public async Task UsageReachesTheGatewayAsItDoesForChatCompletions()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_usage");
        using var whole = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello" });
        using var streamed = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello", stream = true });
        var usage = (await whole.JsonAsync()).GetProperty("usage");
        var lines = TestSupport.SseLines(await streamed.Content.ReadAsStringAsync());

        Assert.Equal($"{usage.GetProperty("input_tokens").GetInt32()},{usage.GetProperty("output_tokens").GetInt32()}",
            whole.Headers.GetValues("X-Usage-Tokens").Single());
        var comment = JsonDocument.Parse(lines.Single(l => l.StartsWith(": usage ", StringComparison.Ordinal))[8..]).RootElement;
        Assert.Equal(usage.GetProperty("total_tokens").GetInt32(), comment.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task ACancelOnAnotherReplicaStopsAResponseBeingStreamed()
    {
        await using var first = TestSupport.Service().With("Chat:OfflineWordDelay", "00:00:00.100");
        var settings = (Microsoft.Extensions.Configuration.IConfiguration)first.Services.GetService(typeof(Microsoft.Extensions.Configuration.IConfiguration))!;
        await using var second = TestSupport.Service().With("ConnectionStrings:chatdb",
            Microsoft.Extensions.Configuration.ConfigurationExtensions.GetConnectionString(settings, "chatdb"));
        using var streaming = first.Client("usr_cancel");
        using var other = second.Client("usr_cancel");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = JsonContent.Create(new { model = "gpt-4o-mini", input = "Hello", stream = true }),
        };
        using var response = await streaming.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? id = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("response.output_text.delta", StringComparison.Ordinal))
            {
                break;
            }
            if (line.StartsWith("data: ", StringComparison.Ordinal) && id is null)
            {
                id = JsonDocument.Parse(line[6..]).RootElement.GetProperty("response").GetProperty("id").GetString();
            }
        }

        var cancelled = await (await other.PostAsync($"/v1/responses/{id}/cancel", null)).JsonAsync();
        var rest = await reader.ReadToEndAsync();

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.DoesNotContain("response.completed", rest);
        using var again = await other.PostAsync($"/v1/responses/{id}/cancel", null);
        Assert.Equal("cancelled", (await again.JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AResponseWhoseModelBreaksOffMidStreamCountsTheTokensItStreamed()
    {
        // The model breaks off only once the client has seen its words: a reset sent at once can overtake them.
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var word in new[] { "Annual ", "leave ", "is ", "twenty " })
            {
                await context.Response.WriteAsync(
                    $"data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{word}\"}}}}]}}\n\n");
                await context.Response.Body.FlushAsync();
            }
            await seen.Task.WaitAsync(context.RequestAborted);
            context.Abort();
        });
        await using var service = TestSupport.Service().WithModel(model).With("Chat:ProviderRetries", "0");
        using var http = service.Client("usr_broken_stream");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = JsonContent.Create(new { model = "m", input = "How much leave?", stream = true }),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var body = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            body.AppendLine(line);
            if (line.Contains("\"twenty \"", StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }
        var events = ParseEvents(body.ToString());

        Assert.Equal("response.failed", events[^1].Type);
        Assert.True(events[^1].Data.GetProperty("response").GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0,
            events[^1].Data.GetRawText());
    }

    [Fact]
    public async Task AnOutputCapEndsTheResponseIncomplete()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_cap");
        using var response = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello", max_output_tokens = 3, stream = true });
        var events = ParseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal("response.incomplete", events[^1].Type);
        Assert.Equal("max_output_tokens", events[^1].Data.GetProperty("response").GetProperty("incomplete_details").GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AConversationStartedOnOneReplicaIsContinuedOnAnotherSharingItsDatabase(string database)
    {
        await using var first = await TestSupport.ServiceOnAsync(database);
        var settings = (Microsoft.Extensions.Configuration.IConfiguration)first.Services.GetService(typeof(Microsoft.Extensions.Configuration.IConfiguration))!;
        await using var second = TestSupport.Service().With("ConnectionStrings:chatdb", Microsoft.Extensions.Configuration.ConfigurationExtensions.GetConnectionString(settings, "chatdb"));
        var one = first.Sdk("usr_replicas");
        var two = second.Sdk("usr_replicas");

        var conversation = await one.GetConversationClient().CreateConversationAsync(BinaryContent.Create(BinaryData.FromString("{}")));
        var conversationId = JsonDocument.Parse(conversation.GetRawResponse().Content).RootElement.GetProperty("id").GetString()!;
        ResponseResult started = await one.GetResponsesClient().CreateResponseAsync(new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("First question")])
        {
            ConversationOptions = new ResponseConversationOptions(conversationId),
        });
        ResponseResult continued = await two.GetResponsesClient().CreateResponseAsync(new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("Second question")])
        {
            ConversationOptions = new ResponseConversationOptions(conversationId),
        });
        ResponseResult chained = await one.GetResponsesClient().CreateResponseAsync("gpt-4o-mini", "Third question", previousResponseId: continued.Id);

        var items = await two.GetConversationClient().GetConversationItemsAsync(conversationId, order: "asc").GetRawPagesAsync().ToListAsync();
        var texts = items.SelectMany(p => JsonDocument.Parse(p.GetRawResponse().Content).RootElement.GetProperty("data").EnumerateArray())
            .Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()).ToList();
        Assert.Equal(["First question", started.GetOutputText(), "Second question", continued.GetOutputText()], texts);
        Assert.Equal(continued.Id, chained.PreviousResponseId);
        Assert.Equal(ResponseStatus.Completed, (await two.GetResponsesClient().GetResponseAsync(chained.Id)).Value.Status);
    }

    private sealed record SseEvent(string Type, JsonElement Data);

    private static List<SseEvent> ParseEvents(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n'))
            .Where(lines => lines.Any(l => l.StartsWith("event: ", StringComparison.Ordinal)))
            .Select(lines => new SseEvent(
                lines.First(l => l.StartsWith("event: ", StringComparison.Ordinal))[7..],
                JsonDocument.Parse(lines.First(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..]).RootElement.Clone()))
            .ToList();
}
