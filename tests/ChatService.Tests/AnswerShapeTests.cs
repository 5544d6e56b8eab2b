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

    public static TheoryData<string, string> Refused => new()
    {
        { "\"n\":2", "n" },
        { "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "tools" },
        { "\"tool_choice\":\"required\"", "tool_choice" },
        { "\"logprobs\":true", "logprobs" },
        { "\"logit_bias\":{\"50256\":-100}", "logit_bias" },
        { "\"modalities\":[\"text\",\"audio\"]", "modalities" },
        { "\"response_format\":{\"type\":\"yaml\"}", "response_format.type" },
        { "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}", "response_format.json_schema.name" },
        { "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop" },
        { "\"presence_penalty\":3", "presence_penalty" },
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
}
