using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>Function tools on /v1/chat/completions, as OpenAI's Chat Completions API has them.</summary>
public sealed class ChatCompletionToolsTests
{
    private static readonly object Weather = new
    {
        type = "function",
        function = new
        {
            name = "get_weather",
            description = "Weather of a city",
            parameters = new { type = "object", properties = new { city = new { type = "string" } }, required = new[] { "city" } },
        },
    };

    private static readonly object Time = new
    {
        type = "function",
        function = new { name = "get_time", parameters = new { type = "object", properties = new { zone = new { type = "string" } } } },
    };

    [Fact]
    public async Task TheOfflineModelCallsTheRequiredFunctionAndReportsWhatItReturnedOnTheNextTurn()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_cct_offline");

        var first = await (await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            messages = new[] { new { role = "user", content = "Weather in Oslo?" } },
            tools = new[] { Weather },
            tool_choice = "required",
        })).JsonAsync();
        var choice = first.GetProperty("choices")[0];
        var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        var second = await (await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            messages = new object[]
            {
                new { role = "user", content = "Weather in Oslo?" },
                new { role = "assistant", content = (string?)null, tool_calls = new[] { call } },
                new { role = "tool", tool_call_id = call.GetProperty("id").GetString(), content = "Rain, 12 degrees" },
            },
            tools = new[] { Weather },
        })).JsonAsync();
        var answer = second.GetProperty("choices")[0];

        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        Assert.StartsWith("call_", call.GetProperty("id").GetString());
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("Weather in Oslo?",
            JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Equal("stop", answer.GetProperty("finish_reason").GetString());
        Assert.Equal("The function get_weather returned: Rain, 12 degrees", answer.GetProperty("message").GetProperty("content").GetString());
        Assert.False(answer.GetProperty("message").TryGetProperty("tool_calls", out _));
    }

    [Fact]
    public async Task AStreamedCallComesAsToolCallDeltasWithItsIndexAndEndsWithToolCallsAndUsage()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_cct_stream");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            stream = true,
            stream_options = new { include_usage = true },
            messages = new[] { new { role = "user", content = "What time is it in Tokyo?" } },
            tools = new[] { Weather, Time },
            tool_choice = new { type = "function", function = new { name = "get_time" } },
        });
        var body = await response.Content.ReadAsStringAsync();
        var chunks = Chunks(body);
        var pieces = ToolCallPieces(chunks);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("miss", response.Headers.GetValues("X-Cache").Single());
        var opening = chunks[0].GetProperty("choices")[0].GetProperty("delta");
        Assert.Equal("assistant", opening.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, opening.GetProperty("content").ValueKind);
        Assert.True(pieces.Count >= 2, body);
        Assert.All(pieces, p => Assert.Equal(0, p.GetProperty("index").GetInt32()));
        Assert.StartsWith("call_", pieces[0].GetProperty("id").GetString());
        Assert.Equal("function", pieces[0].GetProperty("type").GetString());
        Assert.Equal("get_time", pieces[0].GetProperty("function").GetProperty("name").GetString());
        Assert.All(pieces.Skip(1), p => Assert.False(p.TryGetProperty("id", out _)));
        var arguments = string.Concat(pieces.Select(p => p.GetProperty("function").GetProperty("arguments").GetString()));
        Assert.Equal("What time is it in Tokyo?", JsonDocument.Parse(arguments).RootElement.GetProperty("zone").GetString());
        Assert.Equal("tool_calls", LastFinish(chunks));
        Assert.True(chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.EndsWith("data: [DONE]\n\n", body);
    }

    [Fact]
    public async Task AnUpstreamModelGetsTheToolsAndTheCallsAndOutputsAndItsCallReachesTheClientWhole()
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            var sent = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
            await (sent["messages"]!.AsArray().Any(m => (string?)m!["role"] == "tool")
                ? TestSupport.WriteCompletionAsync(context, "It is rainy in Oslo.", 20, 6)
                : ScriptedModel.ToolCallAsync(context, "call_up1", "get_weather", """{"city":"Oslo"}"""));
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_cct_upstream");
        var strictWeather = new
        {
            type = "function",
            function = new
            {
                name = "get_weather",
                parameters = new { type = "object", properties = new { city = new { type = "string" } }, required = new[] { "city" }, additionalProperties = false },
                strict = true,
            },
        };

        var first = await (await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            messages = new[] { new { role = "user", content = "Weather in Oslo?" } },
            tools = new[] { strictWeather },
            tool_choice = "auto",
            parallel_tool_calls = false,
        })).JsonAsync();
        var second = await (await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            messages = new object[]
            {
                new { role = "user", content = "Weather in Oslo?" },
                new { role = "assistant", content = (string?)null, tool_calls = first.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls") },
                new { role = "tool", tool_call_id = "call_up1", content = "rain, 12 degrees" },
            },
            tools = new[] { strictWeather },
        })).JsonAsync();

        var choice = first.GetProperty("choices")[0];
        var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        Assert.Equal("call_up1", call.GetProperty("id").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"city":"Oslo"}""", call.GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal(15, first.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal("It is rainy in Oslo.", second.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var asked = JsonNode.Parse(model.Requests[0].Body)!;
        var tool = asked["tools"]![0]!;
        Assert.Equal("function", (string?)tool["type"]);
        Assert.Equal("get_weather", (string?)tool["function"]!["name"]);
        Assert.True(tool["function"]!["strict"]!.GetValue<bool>());
        Assert.Equal("string", (string?)tool["function"]!["parameters"]!["properties"]!["city"]!["type"]);
        Assert.Equal("auto", (string?)asked["tool_choice"]);
        Assert.False(asked["parallel_tool_calls"]!.GetValue<bool>());
        var answered = JsonNode.Parse(model.Requests[1].Body)!["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], answered.Select(m => (string?)m!["role"]));
        Assert.Equal("call_up1", (string?)answered[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal("Oslo", (string?)JsonNode.Parse((string)answered[1]!["tool_calls"]![0]!["function"]!["arguments"]!)!["city"]);
        Assert.Equal("call_up1", (string?)answered[2]!["tool_call_id"]);
        Assert.Contains("rain, 12 degrees", answered[2]!["content"]!.ToJsonString());
    }

    [Fact]
    public async Task ParallelUpstreamCallsStreamedInPiecesAreRelayedAsToolCallDeltasThatJoinToTheirArguments()
    {
        const string weatherArguments = """{"city":"Oslo","unit":"celsius"}""";
        const string timeArguments = """{"zone":"Europe/Oslo"}""";
        await using var model = await ScriptedHttpServer.StartAsync(context => ScriptedModel.StreamToolCallsAsync(context, 4,
            ("call_up2", "get_weather", weatherArguments), ("call_up3", "get_time", timeArguments)));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_cct_upstream_stream");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            stream = true,
            stream_options = new { include_usage = true },
            messages = new[] { new { role = "user", content = "Weather and time in Oslo?" } },
            tools = new[] { Weather, Time },
            tool_choice = "required",
        });
        var body = await response.Content.ReadAsStringAsync();
        var chunks = Chunks(body);
        var calls = ToolCallPieces(chunks).GroupBy(p => p.GetProperty("index").GetInt32()).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([0, 1], calls.Select(c => c.Key));
        Assert.Equal(["call_up2", "call_up3"], calls.Select(c => c.First().GetProperty("id").GetString()));
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.First().GetProperty("function").GetProperty("name").GetString()));
        Assert.Equal([weatherArguments, timeArguments],
            calls.Select(c => string.Concat(c.Select(p => p.GetProperty("function").GetProperty("arguments").GetString()))));
        Assert.Equal("tool_calls", LastFinish(chunks));
        Assert.Equal(10, chunks[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var asked = JsonNode.Parse(model.Requests.Single().Body)!;
        Assert.True(asked["stream"]!.GetValue<bool>());
        Assert.Equal("required", (string?)asked["tool_choice"]);
        Assert.Equal(["get_weather", "get_time"], asked["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]));
    }

    [Fact]
    public async Task AnswersWithToolsOrFunctionOutputsNeitherComeFromNorGoToTheAnswerCache()
    {
        await using var cache = await CachedAnswerTests.AlwaysHitsAsync();
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1", ("hours.txt", "We open at nine."));
        await using var factory = TestSupport.Service().WithIntentCache(cache).WithDocuments(documents).With("Chat:CachedAnswerLifetime", "00:01:00");
        using var client = factory.Client("usr_cct_cache");
        var assistantId = await client.CreateAssistantAsync();

        using var offered = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId,
            messages = new[] { new { role = "user", content = "When do you open?" } },
            tools = new[] { Weather },
            tool_choice = "none",
        });
        using var answered = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId,
            messages = new object[]
            {
                new { role = "user", content = "When do you open?" },
                new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = "get_weather", arguments = "{}" } } } },
                new { role = "tool", tool_call_id = "call_1", content = "sunny" },
            },
        });

        Assert.Equal("miss", offered.Headers.GetValues("X-Cache").Single());
        Assert.StartsWith("From my documents:", (await offered.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("miss", answered.Headers.GetValues("X-Cache").Single());
        Assert.Equal("The function get_weather returned: sunny",
            (await answered.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.DoesNotContain(cache.Requests, r => r.PathAndQuery.StartsWith("/api/intent-cache/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFunctionsOutputCountsTowardsThePromptsTokens()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_cct_tokens");
        async Task<int> PromptTokensAsync(string output)
        {
            var answer = await (await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = "gpt-4o-mini",
                messages = new object[]
                {
                    new { role = "user", content = "Weather?" },
                    new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = "get_weather", arguments = "{}" } } } },
                    new { role = "tool", tool_call_id = "call_1", content = output },
                },
            })).JsonAsync();
            return answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        }

        var brief = await PromptTokensAsync("sunny");
        var wordy = await PromptTokensAsync(string.Join(" ", Enumerable.Repeat("sunny", 300)));

        Assert.True(wordy - brief >= 299, $"a 300-word output added {wordy - brief} prompt tokens");
    }

    private const string Ask = """{"role":"user","content":"Weather?"}""";
    private const string Tools = """ "tools":[{"type":"function","function":{"name":"get_weather"}}]""";
    private const string Called = """{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{}"}}]}""";

    public static TheoryData<string, string> Mistakes => new()
    {
        { $$$"""{{{Tools}}},"messages":[{{{Ask}}}],"tool_choice":{"type":"function","function":{"name":"get_time"}}""", "tool_choice" },
        { $$$"""{{{Tools}}},"messages":[{{{Ask}}}],"tool_choice":"sometimes" """, "tool_choice" },
        { $$$""" "messages":[{{{Ask}}}],"tool_choice":"required" """, "tool_choice" },
        { $$$""" "messages":[{{{Ask}}}],"tools":[{"type":"file_search"}]""", "tools" },
        { $$$""" "messages":[{{{Ask}}}],"tools":[{"type":"function","function":{"name":"get weather"}}]""", "tools" },
        { $$$""" "messages":[{{{Ask}}}],"tools":[{"type":"function","function":{"name":"f","parameters":"x"}}]""", "tools" },
        { $$$""" "messages":[{{{Ask}}}],"tools":{"type":"function"}""", "tools" },
        { $$$""" "messages":[{{{Ask}}},{"role":"tool","tool_call_id":"call_a","content":"x"}]""", "messages[1].tool_call_id" },
        { $$$""" "messages":[{{{Ask}}},{{{Called}}},{"role":"tool","tool_call_id":"call_b","content":"x"}]""", "messages[2].tool_call_id" },
        { $$$""" "messages":[{{{Ask}}},{{{Called}}},{"role":"tool","content":"x"}]""", "messages[2].tool_call_id" },
        { $$$""" "messages":[{{{Ask}}},{{{Called}}},{"role":"user","content":"And?"}]""", "messages[2]" },
        { $$$""" "messages":[{{{Ask}}},{{{Called}}}]""", "messages[1]" },
        { $$$""" "messages":[{{{Ask}}},{"role":"assistant","tool_calls":[{"id":"call_a","type":"function"}]}]""", "messages[1].tool_calls" },
        { $$$""" "messages":[{"role":"user","content":"Weather?","tool_calls":[{"id":"call_a","type":"function","function":{"name":"f"}}]}]""", "messages[0].tool_calls" },
        { $$$""" "messages":[{{{Ask}}},{"role":"function","name":"get_weather","content":"x"}]""", "messages[1].role" },
        { $$$""" "messages":[{{{Ask}}}],"functions":[{"name":"get_weather"}]""", "functions" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task AToolMistakeIsA400NamingTheFieldAtFault(string fields, string param)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "hi", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_cct_mistake");

        using var response = await client.PostAsync("/v1/chat/completions",
            new StringContent($$"""{"model":"gpt-4o-mini",{{fields}}}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Empty(model.Requests);
    }

    /// <summary>The tool call pieces of a stream's chunks, in order; each chunk here carries one.</summary>
    private static List<JsonElement> ToolCallPieces(List<JsonElement> chunks) =>
        chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Where(c => c.GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(c => Assert.Single(c.GetProperty("delta").GetProperty("tool_calls").EnumerateArray())).ToList();

    private static string? LastFinish(List<JsonElement> chunks) =>
        chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray()).Last().GetProperty("finish_reason").GetString();

    private static List<JsonElement> Chunks(string body) =>
        TestSupport.SseLines(body).Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.Clone()).ToList();
}
