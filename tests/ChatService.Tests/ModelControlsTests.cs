using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Responses;

namespace ChatService.Tests;

/// <summary>
/// reasoning effort, verbosity and parallel_tool_calls, as real OpenAI client code sends them, reach a configured
/// OpenAI-compatible model as written and are shown on the objects that keep them; the built-in offline responder,
/// which does no reasoning, refuses them by name; a model's own refusal reaches the client as the model wrote it.
/// </summary>
public sealed class ModelControlsTests
{
    private const string WeatherTool =
        """{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}""";

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static JsonElement ErrorOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error");

    private static JsonNode Received(ScriptedHttpServer model, int index = 0) => JsonNode.Parse(model.Requests[index].Body)!;

    [Theory]
    [InlineData("minimal", "low", false)]
    [InlineData("high", "high", true)]
    [InlineData("xhigh", "medium", false)]
    public async Task AChatCompletionsReasoningEffortVerbosityAndParallelToolCallsReachTheModelAsSent(string effort, string verbosity, bool stream)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => stream
            ? TestSupport.WriteCompletionStreamAsync(context, 9, "Sunny")
            : TestSupport.WriteCompletionAsync(context, "Sunny", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_chat");

        var (status, body) = await PostAsync(client, "/v1/chat/completions", $$"""
            {"model":"gpt-5-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Weather in Oslo?"}],
             "reasoning_effort":"{{effort}}","verbosity":"{{verbosity}}","tools":[{{WeatherTool}}],"parallel_tool_calls":false}
            """);

        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Contains("Sunny", body);
        var sent = Received(model);
        Assert.Equal(effort, (string?)sent["reasoning_effort"]);
        Assert.Equal(verbosity, (string?)sent["verbosity"]);
        Assert.False(sent["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("gpt-5-mini", (string?)sent["model"]);
    }

    [Fact]
    public async Task AResponsesReasoningAndParallelToolCallsFromTheSdkReachTheModelAndAreShownOnTheResponse()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Sunny"));
        await using var factory = TestSupport.Service().WithModel(model);
        var responses = factory.Sdk("usr_controls_sdk").GetResponsesClient();
        var options = new CreateResponseOptions("o4-mini", [ResponseItem.CreateUserMessageItem("Weather in Oslo?")])
        {
            ReasoningOptions = new ResponseReasoningOptions { ReasoningEffortLevel = ResponseReasoningEffortLevel.Low },
            ParallelToolCallsEnabled = false,
        };
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""),
            strictModeEnabled: false));

        ResponseResult created = await responses.CreateResponseAsync(options);
        ResponseResult retrieved = await responses.GetResponseAsync(created.Id);

        var sent = Received(model);
        Assert.Equal("low", (string?)sent["reasoning_effort"]);
        Assert.False(sent["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("Sunny", created.GetOutputText());
        foreach (var shown in new[] { created, retrieved })
        {
            Assert.Equal(ResponseReasoningEffortLevel.Low, shown.ReasoningOptions.ReasoningEffortLevel);
            Assert.False(shown.ParallelToolCallsEnabled);
        }
    }

    [Fact]
    public async Task AResponsesTextVerbosityAndEffortReachTheModelAndAreShownAsSent()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Sunny"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_verbosity");

        var (status, body) = await PostAsync(client, "/v1/responses",
            """{"model":"gpt-5","input":"Weather in Oslo?","text":{"verbosity":"high"},"reasoning":{"effort":"minimal","summary":null}}""");

        Assert.True(status == HttpStatusCode.OK, body);
        var sent = Received(model);
        Assert.Equal("high", (string?)sent["verbosity"]);
        Assert.Equal("minimal", (string?)sent["reasoning_effort"]);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        var stored = await (await client.GetAsync($"/v1/responses/{id}")).JsonAsync();
        Assert.Equal("high", stored.GetProperty("text").GetProperty("verbosity").GetString());
        Assert.Equal("minimal", stored.GetProperty("reasoning").GetProperty("effort").GetString());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("reasoning").GetProperty("summary").ValueKind);
        Assert.True(stored.GetProperty("parallel_tool_calls").GetBoolean());
    }

    [Fact]
    public async Task ARunTakesItsOwnOrItsAssistantsReasoningEffortAndItsParallelToolCallsToTheModelAndShowsThem()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Sunny"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_runs");
        var (created, assistantBody) = await PostAsync(client, "/v1/assistants",
            $$"""{"model":"o3-mini","instructions":"Answer briefly.","reasoning_effort":"high","tools":[{{WeatherTool}}]}""");
        Assert.True(created == HttpStatusCode.OK, assistantBody);
        var assistant = JsonDocument.Parse(assistantBody).RootElement;
        var assistantId = assistant.GetProperty("id").GetString()!;
        var (_, threadBody) = await PostAsync(client, "/v1/threads", """{"messages":[{"role":"user","content":"Weather in Oslo?"}]}""");
        var thread = JsonDocument.Parse(threadBody).RootElement.GetProperty("id").GetString()!;

        var (ownStatus, own) = await PostAsync(client, $"/v1/threads/{thread}/runs",
            $$"""{"assistant_id":"{{assistantId}}","stream":true,"reasoning_effort":"low","parallel_tool_calls":false}""");
        var (inheritedStatus, inherited) = await PostAsync(client, $"/v1/threads/{thread}/runs", $$"""{"assistant_id":"{{assistantId}}","stream":true}""");
        var runs = (await (await client.GetAsync($"/v1/threads/{thread}/runs?order=asc")).JsonAsync()).GetProperty("data");

        Assert.True(ownStatus == HttpStatusCode.OK, own);
        Assert.True(inheritedStatus == HttpStatusCode.OK, inherited);
        Assert.Equal("high", assistant.GetProperty("reasoning_effort").GetString());
        Assert.Equal("low", (string?)Received(model, 0)["reasoning_effort"]);
        Assert.False(Received(model, 0)["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("high", (string?)Received(model, 1)["reasoning_effort"]);
        Assert.Null(Received(model, 1)["parallel_tool_calls"]);
        Assert.Equal(("low", false), (runs[0].GetProperty("reasoning_effort").GetString(), runs[0].GetProperty("parallel_tool_calls").GetBoolean()));
        Assert.Equal(("high", true), (runs[1].GetProperty("reasoning_effort").GetString(), runs[1].GetProperty("parallel_tool_calls").GetBoolean()));
    }

    [Fact]
    public async Task AnAssistantsReasoningEffortIsTheDefaultOfChatCompletionsAndResponsesThatNameIt()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Sunny"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_assistant");
        var (_, assistantBody) = await PostAsync(client, "/v1/assistants", """{"model":"o3","reasoning_effort":"high"}""");
        var assistantId = JsonDocument.Parse(assistantBody).RootElement.GetProperty("id").GetString();

        var requests = new[]
        {
            ("/v1/chat/completions", $$"""{"model":"{{assistantId}}","stream":true,"messages":[{"role":"user","content":"Hi"}]}"""),
            ("/v1/chat/completions", $$"""{"model":"{{assistantId}}","stream":true,"messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"low"}"""),
            ("/v1/responses", $$$"""{"model":"{{{assistantId}}}","stream":true,"input":"Hi","text":{"verbosity":"low"}}"""),
        };
        foreach (var (path, json) in requests)
        {
            var (status, body) = await PostAsync(client, path, json);
            Assert.True(status == HttpStatusCode.OK, body);
        }

        Assert.Equal(["high", "low", "high"], model.Requests.Select(r => (string?)JsonNode.Parse(r.Body)!["reasoning_effort"]));
        Assert.Equal("low", (string?)Received(model, 2)["verbosity"]);
        Assert.Equal("o3", (string?)Received(model, 2)["model"]);
    }

    public static TheoryData<string, string, string> RefusedOffline => new()
    {
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"high"}""", "reasoning_effort" },
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"verbosity":"low"}""", "verbosity" },
        { "/v1/responses", """{"model":"gpt-4o-mini","input":"Hi","reasoning":{"effort":"medium"}}""", "reasoning.effort" },
        { "/v1/responses", """{"model":"gpt-4o-mini","input":"Hi","text":{"verbosity":"high"}}""", "text.verbosity" },
        { "/v1/responses", """{"model":"gpt-4o-mini","input":"Hi","background":true,"reasoning":{"effort":"high"}}""", "reasoning.effort" },
        { "/v1/assistants", """{"model":"gpt-4o-mini","reasoning_effort":"low"}""", "reasoning_effort" },
    };

    [Theory]
    [MemberData(nameof(RefusedOffline))]
    public async Task WithoutAModelTheOfflineResponderRefusesReasoningAndVerbosityByNameSayingWhy(string path, string json, string param)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_controls_offline");

        var (status, body) = await PostAsync(client, path, json);

        Assert.True(status == HttpStatusCode.BadRequest, body);
        var error = ErrorOf(body);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("unsupported_parameter", error.GetProperty("code").GetString());
        Assert.Contains("no language model is configured", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task WithoutAModelARunAskingForReasoningIsRefusedBeforeAnythingIsStored()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_controls_offline_run");
        var assistantId = await client.CreateAssistantAsync();

        var (onThread, onThreadBody) = await PostAsync(client, "/v1/threads", "{}");
        var thread = JsonDocument.Parse(onThreadBody).RootElement.GetProperty("id").GetString();
        var (status, body) = await PostAsync(client, $"/v1/threads/{thread}/runs", $$"""{"assistant_id":"{{assistantId}}","reasoning_effort":"high"}""");
        var (withThread, withThreadBody) = await PostAsync(client, "/v1/threads/runs", $$"""{"assistant_id":"{{assistantId}}","reasoning_effort":"low"}""");

        Assert.Equal(HttpStatusCode.OK, onThread);
        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Equal("reasoning_effort", ErrorOf(body).GetProperty("param").GetString());
        Assert.True(withThread == HttpStatusCode.BadRequest, withThreadBody);
        Assert.Equal("reasoning_effort", ErrorOf(withThreadBody).GetProperty("param").GetString());
        Assert.Equal(0, (await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync()).GetProperty("data").GetArrayLength());
        Assert.Equal(1, (await (await client.GetAsync("/v1/threads")).JsonAsync()).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task WithoutAModelWhatTheOfflineResponderDoesAnywayIsAccepted()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_controls_offline_ok");

        var (chat, chatBody) = await PostAsync(client, "/v1/chat/completions",
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"none","verbosity":"medium","parallel_tool_calls":false}""");
        var (responses, responsesBody) = await PostAsync(client, "/v1/responses",
            """{"model":"gpt-4o-mini","input":"Hi","reasoning":{"effort":"none"},"text":{"verbosity":"medium"},"parallel_tool_calls":false}""");

        Assert.True(chat == HttpStatusCode.OK, chatBody);
        Assert.True(responses == HttpStatusCode.OK, responsesBody);
        var response = JsonDocument.Parse(responsesBody).RootElement;
        Assert.Equal("none", response.GetProperty("reasoning").GetProperty("effort").GetString());
        Assert.False(response.GetProperty("parallel_tool_calls").GetBoolean());
    }

    public static TheoryData<string, string, string, string> Invalid => new()
    {
        { "/v1/chat/completions", """{"model":"gpt-5","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"extreme"}""", "reasoning_effort", "invalid_value" },
        { "/v1/chat/completions", """{"model":"gpt-5","messages":[{"role":"user","content":"Hi"}],"verbosity":"loud"}""", "verbosity", "invalid_value" },
        { "/v1/responses", """{"model":"gpt-5","input":"Hi","reasoning":{"effort":"extreme"}}""", "reasoning.effort", "invalid_value" },
        { "/v1/responses", """{"model":"gpt-5","input":"Hi","reasoning":{"effort":3}}""", "reasoning.effort", "invalid_type" },
        { "/v1/responses", """{"model":"gpt-5","input":"Hi","text":{"verbosity":"loud"}}""", "text.verbosity", "invalid_value" },
        { "/v1/responses", """{"model":"gpt-5","input":"Hi","reasoning":{"summary":"auto"}}""", "reasoning.summary", "unsupported_parameter" },
        { "/v1/responses", """{"model":"gpt-5","input":"Hi","reasoning":{"depth":"deep"}}""", "reasoning.depth", "unknown_parameter" },
        { "/v1/assistants", """{"model":"gpt-5","reasoning_effort":"extreme"}""", "reasoning_effort", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task AnUnknownEffortOrVerbosityOrAReasoningSummaryIsRefusedByNameBeforeTheModelIsAsked(string path, string json, string param, string code)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "hi", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_invalid");

        var (status, body) = await PostAsync(client, path, json);

        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Equal((param, code), (ErrorOf(body).GetProperty("param").GetString(), ErrorOf(body).GetProperty("code").GetString()));
        Assert.Empty(model.Requests);
    }

    [Theory]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    [InlineData("/v1/responses", false)]
    [InlineData("/v1/responses", true)]
    public async Task AModelsRefusalOfTheRequestReachesTheClientAsTheModelWroteIt(string path, bool stream)
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new
            {
                error = new
                {
                    message = "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model.",
                    type = "invalid_request_error",
                    param = "reasoning_effort",
                    code = "unsupported_value",
                },
            });
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_refused");
        var json = path == "/v1/responses"
            ? $$$"""{"model":"gpt-4o","input":"Hi","stream":{{{(stream ? "true" : "false")}}},"reasoning":{"effort":"minimal"}}"""
            : $$"""{"model":"gpt-4o","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"minimal"}""";

        var (status, body) = await PostAsync(client, path, json);

        Assert.True(status == HttpStatusCode.BadRequest, body);
        var error = ErrorOf(body);
        Assert.Equal("Unsupported value: 'reasoning_effort' does not support 'minimal' with this model.", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        // The model names the chat completions field; a Responses client sent reasoning.effort.
        Assert.Equal(path == "/v1/responses" ? "reasoning.effort" : "reasoning_effort", error.GetProperty("param").GetString());
        Assert.Equal("unsupported_value", error.GetProperty("code").GetString());
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task OnlyARefusalOfTheRequestIsRelayedNotTheModelRefusingThePlatformsOwnKey()
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            var unknownModel = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!["model"]!.GetValue<string>() == "gpt-9";
            context.Response.StatusCode = unknownModel ? 404 : 401;
            await context.Response.WriteAsJsonAsync(new
            {
                error = unknownModel
                    ? new { message = "The model `gpt-9` does not exist or you do not have access to it.", code = "model_not_found" }
                    : new { message = "Incorrect API key provided: te****ey.", code = "invalid_api_key" },
            });
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_key");

        var (unknown, unknownBody) = await PostAsync(client, "/v1/chat/completions", """{"model":"gpt-9","messages":[{"role":"user","content":"Hi"}]}""");
        var (keyRefused, keyBody) = await PostAsync(client, "/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""");

        Assert.True(unknown == HttpStatusCode.NotFound, unknownBody);
        Assert.Equal(("model_not_found", "invalid_request_error"), (ErrorOf(unknownBody).GetProperty("code").GetString(), ErrorOf(unknownBody).GetProperty("type").GetString()));
        Assert.Contains("`gpt-9` does not exist", ErrorOf(unknownBody).GetProperty("message").GetString());
        Assert.True(keyRefused == HttpStatusCode.BadGateway, keyBody);
        Assert.Equal("upstream_error", ErrorOf(keyBody).GetProperty("code").GetString());
        Assert.DoesNotContain("API key", keyBody);
    }

    public static TheoryData<string, string, string[]> LeakyRefusals => new()
    {
        {
            "litellm.BadRequestError: model gpt-x at http://10.0.3.7:8000/v1 via vllm-internal.corp.example:8000 "
            + "(key sk-live-abcdef123456, header Bearer eyJhbGciOi) does not take 'verbosity'.",
            "does not take 'verbosity'", ["10.0.3.7", "http://", "vllm-internal", "sk-live", "eyJhbGciOi"]
        },
        {
            "Traceback (most recent call last):\n  File \"/srv/app/server.py\", line 12, in handle\nValueError: bad verbosity",
            "The model refused the request.", ["/srv/app", "Traceback", "server.py"]
        },
    };

    [Theory]
    [MemberData(nameof(LeakyRefusals))]
    public async Task ARelayedRefusalKeepsWhatWasWrongButNotTheUpstreamsAddressesKeysOrStackTrace(string upstream, string kept, string[] hidden)
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = new { message = upstream, type = "invalid_request_error", param = "verbosity", code = "bad" } });
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_leaky");

        var (status, body) = await PostAsync(client, "/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"verbosity":"low"}""");

        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Contains(kept, ErrorOf(body).GetProperty("message").GetString());
        Assert.All(hidden, text => Assert.DoesNotContain(text, body));
    }

    [Fact]
    public async Task TheConfiguredModelKeyIsBlankedFromARelayedRefusalWhateverItsShape()
    {
        // A proxy that quotes the key it was given; a Groq-style key matches no key pattern.
        const string key = "gsk_live_9f8e7d6c5b4a3210ffee";
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            var given = context.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal);
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new
            {
                error = new { message = $"Tools are not supported by this deployment (api_key={given})", param = "tools", code = "unsupported_parameter" },
            });
        });
        await using var factory = TestSupport.Service().WithModel(model)
            .With("ConnectionStrings:openai", $"Endpoint={new Uri(model.Url, "/v1")};Key={key};Model=scripted-model");
        using var client = factory.Client("usr_controls_own_key");

        var (status, body) = await PostAsync(client, "/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""");

        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Contains("Tools are not supported by this deployment (api_key=[redacted])", ErrorOf(body).GetProperty("message").GetString());
        Assert.DoesNotContain("9f8e7d6c5b4a", body);
    }

    [Fact]
    public async Task AnUpstream404WithoutOpenAIsErrorBodyIsTheUpstreamFailingNotAnUnknownModel()
    {
        // A wrong base address: some web server's own 404 page, about the platform's configuration.
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>404 Not Found: /wrong/base/chat/completions on internal-proxy</body></html>");
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_controls_not_openai");

        var (status, body) = await PostAsync(client, "/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""");

        Assert.True(status == HttpStatusCode.BadGateway, body);
        Assert.Equal("upstream_error", ErrorOf(body).GetProperty("code").GetString());
        Assert.DoesNotContain("internal-proxy", body);
    }
}
