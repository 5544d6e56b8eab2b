using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>
/// What a client asks of an answer's form reaches the model, and what cannot reach it is refused by name: nothing a
/// request says is accepted and quietly ignored.
/// </summary>
public sealed class AnswerShapeTests
{
    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static JsonElement ErrorOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error");

    [Fact]
    public async Task AChatCompletionsJsonSchemaStopSeedAndPenaltiesReachTheModelAsTheClientWroteThem()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, """{"city":"Oslo"}""", 9, 5));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_shape_schema");

        var (status, body) = await PostAsync(client, "/v1/chat/completions", """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Where do I live?"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"place","description":"Where","strict":true,
               "schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}},
             "stop":["END"],"seed":42,"presence_penalty":0.5,"frequency_penalty":-0.5}
            """);

        Assert.True(status == HttpStatusCode.OK, body);
        var upstream = JsonNode.Parse(model.Requests.Single().Body)!;
        var format = upstream["response_format"]!;
        Assert.Equal("json_schema", format["type"]!.GetValue<string>());
        Assert.Equal("place", format["json_schema"]!["name"]!.GetValue<string>());
        Assert.Equal("Where", format["json_schema"]!["description"]!.GetValue<string>());
        Assert.True(format["json_schema"]!["strict"]!.GetValue<bool>());
        Assert.Equal("string", format["json_schema"]!["schema"]!["properties"]!["city"]!["type"]!.GetValue<string>());
        Assert.Equal("END", upstream["stop"]!.AsArray().Single()!.GetValue<string>());
        Assert.Equal(42, upstream["seed"]!.GetValue<long>());
        Assert.Equal(0.5, upstream["presence_penalty"]!.GetValue<double>(), 3);
        Assert.Equal(-0.5, upstream["frequency_penalty"]!.GetValue<double>(), 3);
    }

    [Fact]
    public async Task AChatCompletionsJsonObjectReachesTheModel()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "{}", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_shape_object");

        var (status, body) = await PostAsync(client, "/v1/chat/completions",
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"JSON please"}],"response_format":{"type":"json_object"}}""");

        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("json_object", JsonNode.Parse(model.Requests.Single().Body)!["response_format"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutAModelTheOfflineResponderAnswersJsonWhenAskedAndStopsAtAStopSequence()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_shape_offline");

        var (jsonStatus, jsonBody) = await PostAsync(client, "/v1/chat/completions",
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"response_format":{"type":"json_object"}}""");
        var (stopStatus, stopBody) = await PostAsync(client, "/v1/chat/completions",
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"stop":"configured"}""");

        Assert.True(jsonStatus == HttpStatusCode.OK, jsonBody);
        var content = JsonDocument.Parse(jsonBody).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.StartsWith("No language model is", JsonDocument.Parse(content).RootElement.GetProperty("answer").GetString());
        Assert.True(stopStatus == HttpStatusCode.OK, stopBody);
        Assert.Equal("No language model is ",
            JsonDocument.Parse(stopBody).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task WithoutAModelTheOfflineResponderAnswersInTheJsonSchemaAskedForSoSdkParseHelpersAcceptIt()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_shape_offline_schema");
        const string schema = """
            {"type":"object","additionalProperties":false,"required":["city","country","population","capital","kind","tags","visit","notes"],
             "properties":{"city":{"type":"string"},"country":{"type":"string"},"population":{"type":"integer","minimum":1},
               "capital":{"type":"boolean"},"kind":{"type":"string","enum":["town","metropolis"]},
               "tags":{"type":"array","items":{"type":"string"},"minItems":1},"visit":{"$ref":"#/$defs/Visit"},
               "notes":{"anyOf":[{"type":"null"},{"type":"string"}]}},
             "$defs":{"Visit":{"type":"object","properties":{"season":{"type":["string","null"]},"days":{"type":"number"}}}}}
            """;

        var (chatStatus, chatBody) = await PostAsync(client, "/v1/chat/completions", """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"A city?"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"city","strict":true,"schema":
            """ + schema + "}}}");
        var (responseStatus, responseBody) = await PostAsync(client, "/v1/responses", """
            {"model":"gpt-4o-mini","input":"A city?","text":{"format":{"type":"json_schema","name":"city","strict":true,"schema":
            """ + schema + "}}}");

        Assert.True(chatStatus == HttpStatusCode.OK, chatBody);
        Assert.True(responseStatus == HttpStatusCode.OK, responseBody);
        var chat = JsonNode.Parse(JsonDocument.Parse(chatBody).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!)!;
        var response = JsonNode.Parse(JsonDocument.Parse(responseBody).RootElement.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!)!;
        Assert.Equal(chat.ToJsonString(), response.ToJsonString());
        Assert.Equal(["city", "country", "population", "capital", "kind", "tags", "visit", "notes"], chat.AsObject().Select(p => p.Key));
        Assert.StartsWith("No language model is", (string?)chat["city"], StringComparison.Ordinal);
        Assert.Equal("", (string?)chat["country"]);
        Assert.Equal(1, (int)chat["population"]!);
        Assert.False((bool)chat["capital"]!);
        Assert.Equal("town", (string?)chat["kind"]);
        Assert.Equal("", (string?)Assert.Single(chat["tags"]!.AsArray()));
        Assert.Equal("""{"season":"","days":0}""", chat["visit"]!.ToJsonString());
        Assert.Equal("", (string?)chat["notes"]);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "\"n\":2", "n" },
        { "\"functions\":[{\"name\":\"f\"}]", "functions" },
        { "\"function_call\":\"auto\"", "function_call" },
        { "\"logprobs\":true", "logprobs" },
        { "\"logit_bias\":{\"50256\":-100}", "logit_bias" },
        { "\"modalities\":[\"text\",\"audio\"]", "modalities" },
        { "\"response_format\":{\"type\":\"yaml\"}", "response_format.type" },
        { "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}", "response_format.json_schema.name" },
        { "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop" },
        { "\"presence_penalty\":3", "presence_penalty" },
        { "\"store\":true", "store" },
        { "\"reasoning_effort\":\"extreme\"", "reasoning_effort" },
        { "\"verbosity\":\"loud\"", "verbosity" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AChatCompletionsParameterTheModelIsNotGivenIsRefusedByNameBeforeTheModelIsAsked(string field, string param)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "hi", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_shape_refused");

        var (status, body) = await PostAsync(client, "/v1/chat/completions",
            $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],{{field}}}""");

        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Equal(param, ErrorOf(body).GetProperty("param").GetString());
        Assert.Empty(model.Requests);
    }

    private static string RunBody(string assistantId, string field) => $"{{\"assistant_id\":\"{assistantId}\",{field}}}";

    private static async Task<JsonElement> StreamRunAsync(HttpClient client, string threadId, string json)
    {
        var (status, body) = await PostAsync(client, $"/v1/threads/{threadId}/runs", json);
        Assert.True(status == HttpStatusCode.OK, body);
        var runs = await (await client.GetAsync($"/v1/threads/{threadId}/runs")).JsonAsync();
        return runs.GetProperty("data")[0];
    }

    [Fact]
    public async Task ARunPassesItsAssistantsResponseFormatOrItsOwnToTheModelAndShowsIt()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "{}"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_shape_runs");
        var (created, assistantBody) = await PostAsync(client, "/v1/assistants",
            """{"model":"gpt-4o-mini","instructions":"Answer in JSON.","response_format":{"type":"json_object"}}""");
        Assert.True(created == HttpStatusCode.OK, assistantBody);
        var assistant = JsonDocument.Parse(assistantBody).RootElement;
        var assistantId = assistant.GetProperty("id").GetString()!;
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "Hi" } } })).JsonAsync())
            .GetProperty("id").GetString()!;

        var inherited = await StreamRunAsync(client, thread, $$"""{"assistant_id":"{{assistantId}}","stream":true}""");
        var own = await StreamRunAsync(client, thread, $$"""{"assistant_id":"{{assistantId}}","stream":true,""" + """
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"}}}}
            """);

        Assert.Equal("json_object", assistant.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("json_object", inherited.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("json_schema", own.GetProperty("response_format").GetProperty("type").GetString());
        var upstream = model.Requests.Select(r => JsonNode.Parse(r.Body)!["response_format"]!).ToList();
        Assert.Equal("json_object", upstream[0]["type"]!.GetValue<string>());
        Assert.Equal("json_schema", upstream[1]["type"]!.GetValue<string>());
        Assert.Equal("answer", upstream[1]["json_schema"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task ARunsMaxPromptTokensCutsTheHistoryTheModelIsSentAndIsShown()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_shape_prompt_cap");
        var assistantId = await client.CreateAssistantAsync("Be brief.");
        var words = string.Join(' ', Enumerable.Repeat("holiday", 60));
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new
        {
            messages = new[] { new { role = "user", content = $"First: {words}" }, new { role = "user", content = $"Second: {words}" }, new { role = "user", content = "Third?" } },
        })).JsonAsync()).GetProperty("id").GetString()!;

        var capped = await StreamRunAsync(client, thread, $$"""{"assistant_id":"{{assistantId}}","stream":true,"max_prompt_tokens":40}""");
        var (refused, refusal) = await PostAsync(client, $"/v1/threads/{thread}/runs", $$"""{"assistant_id":"{{assistantId}}","max_prompt_tokens":0}""");

        Assert.Equal(40, capped.GetProperty("max_prompt_tokens").GetInt32());
        var sent = JsonNode.Parse(model.Requests.Single().Body)!["messages"]!.AsArray().Select(m => m!["content"]!.ToJsonString()).ToList();
        Assert.Contains(sent, m => m.Contains("Third?", StringComparison.Ordinal));
        Assert.DoesNotContain(sent, m => m.Contains("First:", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("max_prompt_tokens", ErrorOf(refusal).GetProperty("param").GetString());
    }

    [Fact]
    public async Task ABadTruncationAnUnknownResponseFormatAndReasoningWithoutAModelAreRefusedByNameAndNothingIsStored()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_shape_attachments");
        var assistantId = await client.CreateAssistantAsync();
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        var refusals = new[]
        {
            (await PostAsync(client, $"/v1/threads/{thread}/runs",
                RunBody(assistantId, "\"truncation_strategy\":{\"type\":\"last_messages\",\"last_messages\":0}")), "truncation_strategy.last_messages"),
            (await PostAsync(client, $"/v1/threads/{thread}/runs", RunBody(assistantId, "\"response_format\":{\"type\":\"xml\"}")), "response_format.type"),
            (await PostAsync(client, $"/v1/threads/{thread}/runs", RunBody(assistantId, "\"reasoning_effort\":\"high\"")), "reasoning_effort"),
        };

        foreach (var ((status, body), param) in refusals)
        {
            Assert.True(status == HttpStatusCode.BadRequest, body);
            Assert.Equal(param, ErrorOf(body).GetProperty("param").GetString());
        }
        var messages = await (await client.GetAsync($"/v1/threads/{thread}/messages")).JsonAsync();
        var runs = await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync();
        Assert.Equal(0, messages.GetProperty("data").GetArrayLength());
        Assert.Equal(0, runs.GetProperty("data").GetArrayLength());
        using var empty = await client.PostAsync($"/v1/threads/{thread}/messages",
            new StringContent("""{"role":"user","content":"No files","attachments":[]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
    }

    [Fact]
    public async Task AResponsesTextFormatReachesTheModelAndIsShownOnTheResponse()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "{\"city\":\"Oslo\"}"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_shape_responses");

        var (status, body) = await PostAsync(client, "/v1/responses", """
            {"model":"gpt-4o-mini","input":"Where do I live?",
             "text":{"format":{"type":"json_schema","name":"place","strict":true,"schema":{"type":"object","properties":{"city":{"type":"string"}}}}}}
            """);

        Assert.True(status == HttpStatusCode.OK, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        var stored = await (await client.GetAsync($"/v1/responses/{id}")).JsonAsync();
        var format = stored.GetProperty("text").GetProperty("format");
        Assert.Equal(("json_schema", "place"), (format.GetProperty("type").GetString(), format.GetProperty("name").GetString()));
        var upstream = JsonNode.Parse(model.Requests.Single().Body)!["response_format"]!;
        Assert.Equal("json_schema", upstream["type"]!.GetValue<string>());
        Assert.Equal("place", upstream["json_schema"]!["name"]!.GetValue<string>());
        Assert.True(upstream["json_schema"]!["strict"]!.GetValue<bool>());
    }

    public static TheoryData<string, string> RefusedByResponses => new()
    {
        { "\"text\":{\"format\":{\"type\":\"yaml\"}}", "text.format" },
        { "\"text\":{\"verbosity\":\"loud\"}", "text.verbosity" },
        { "\"reasoning\":{\"effort\":\"extreme\"}", "reasoning.effort" },
        { "\"reasoning\":{\"summary\":\"auto\"}", "reasoning.summary" },
        { "\"max_tool_calls\":3", "max_tool_calls" },
        { "\"top_logprobs\":2", "top_logprobs" },
        { "\"prompt\":{\"id\":\"pmpt_1\"}", "prompt" },
        { "\"background\":true,\"store\":false", "store" },
        { "\"max_output_tokens\":0", "max_output_tokens" },
    };

    [Theory]
    [MemberData(nameof(RefusedByResponses))]
    public async Task AResponsesParameterTheModelIsNotGivenIsRefusedByNameBeforeTheModelIsAsked(string field, string param)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "hi"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_shape_responses_refused");

        var (status, body) = await PostAsync(client, "/v1/responses", $$"""{"model":"gpt-4o-mini","input":"Hello",{{field}}}""");

        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Equal(param, ErrorOf(body).GetProperty("param").GetString());
        Assert.Empty(model.Requests);
    }
}
