using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>Function tools of /v1/responses against a real (scripted) OpenAI-compatible model.</summary>
public sealed class ResponsesToolCallTests
{
    [Fact]
    public async Task AModelsToolCallBecomesAFunctionCallItemAndItsOutputReachesTheModelAfterTheCall()
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
            var sawOutput = body["messages"]!.AsArray().Any(m => (string?)m!["role"] == "tool");
            await (sawOutput
                ? ScriptedModel.StreamTextAsync(context, "It is ", "rainy.")
                : ScriptedModel.StreamToolCallAsync(context, "call_up1", "get_weather", """{"city":"Oslo"}"""));
        });
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_scripted_tools");
        var tools = new[] { new { type = "function", name = "get_weather", parameters = new { type = "object", properties = new { city = new { type = "string" } } } } };

        var first = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Weather in Oslo?", tools })).JsonAsync();
        var call = Assert.Single(first.GetProperty("output").EnumerateArray());
        using var streamed = await http.PostAsJsonAsync("/v1/responses", new
        {
            model = "gpt-4o-mini",
            previous_response_id = first.GetProperty("id").GetString(),
            input = new object[] { new { type = "function_call_output", call_id = "call_up1", output = "rain, 12 degrees" } },
            tools,
            stream = true,
        });
        var text = await streamed.Content.ReadAsStringAsync();

        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("call_up1", call.GetProperty("call_id").GetString());
        Assert.Equal("Oslo", JsonDocument.Parse(call.GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Contains("event: response.completed", text);
        Assert.Contains("It is rainy.", text);
        var secondCall = JsonNode.Parse(model.Requests[1].Body)!["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], secondCall.Select(m => (string?)m!["role"]));
        Assert.Equal("call_up1", (string?)secondCall[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal("call_up1", (string?)secondCall[2]!["tool_call_id"]);
        Assert.Equal("get_weather", (string?)JsonNode.Parse(model.Requests[0].Body)!["tools"]![0]!["function"]!["name"]);
    }

    [Fact]
    public async Task AResponseDeletedEarlierInAChainEndsItThereAndTheRestStillContinues()
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
            var messages = body["messages"]!.AsArray();
            await (messages.Count == 1 && (string?)messages[0]!["content"] == "Weather in Oslo?"
                ? ScriptedModel.StreamToolCallAsync(context, "call_up2", "get_weather", """{"city":"Oslo"}""")
                : ScriptedModel.StreamTextAsync(context, $"Answer {messages.Count}."));
        });
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_cut_chain");
        var tools = new[] { new { type = "function", name = "get_weather", parameters = new { type = "object", properties = new { city = new { type = "string" } } } } };
        async Task<string> RespondAsync(object input, string? previous) => (await (await http.PostAsJsonAsync("/v1/responses",
            new { model = "gpt-4o-mini", input, tools, previous_response_id = previous })).JsonAsync()).GetProperty("id").GetString()!;

        var asked = await RespondAsync("Weather in Oslo?", null);
        var answered = await RespondAsync(new object[] { new { type = "function_call_output", call_id = "call_up2", output = "rain" } }, asked);
        var followed = await RespondAsync("And tomorrow?", answered);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/v1/responses/{asked}")).StatusCode);
        using var continued = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Thanks.", tools, previous_response_id = followed });
        using var fromDeleted = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello?", previous_response_id = asked });

        Assert.Equal(HttpStatusCode.OK, continued.StatusCode);
        // The call went with the deleted response, so its output is left out; the answers and questions after it stay.
        var sent = JsonNode.Parse(model.Requests[^1].Body)!["messages"]!.AsArray();
        Assert.Equal(["assistant", "user", "assistant", "user"], sent.Select(m => (string?)m!["role"]));
        Assert.Equal(["Answer 3.", "And tomorrow?", "Answer 5.", "Thanks."], sent.Select(m => (string?)m!["content"]));
        Assert.Equal(HttpStatusCode.NotFound, fromDeleted.StatusCode);
        var error = JsonDocument.Parse(await fromDeleted.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("previous_response_id", error.GetProperty("param").GetString());
    }
}
