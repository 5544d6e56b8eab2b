using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>
/// A run's truncation_strategy, as OpenAI's Assistants v2 has it: "last_messages" puts only the thread's last N
/// messages in the model's prompt (the instructions and the assistant's knowledge still go), and the run shows it.
/// </summary>
public sealed class RunTruncationTests
{
    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static List<(string Role, string Content)> Sent(RecordedRequest request) =>
        JsonNode.Parse(request.Body)!["messages"]!.AsArray()
            .Select(m => ((string)m!["role"]!, m["content"] is JsonValue text ? (string)text! : m["content"]!.ToJsonString())).ToList();

    [Fact]
    public async Task ARunWithLastMessagesSendsTheModelExactlyTheThreadsLastMessagesWithTheInstructionsAndKnowledge()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Noted"));
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("handbook.md", "Holidays are 25 days a year."));
        await using var factory = TestSupport.Service().WithModel(model).WithDocuments(documents);
        using var client = factory.Client("usr_trunc_last");
        var assistantId = await client.CreateAssistantAsync("Answer from the handbook.");
        var (_, threadBody) = await PostAsync(client, "/v1/threads", """
            {"messages":[{"role":"user","content":"First question"},{"role":"assistant","content":"First answer"},
                         {"role":"user","content":"Second question"},{"role":"assistant","content":"Second answer"},
                         {"role":"user","content":"How many holidays?"}]}
            """);
        var thread = JsonDocument.Parse(threadBody).RootElement.GetProperty("id").GetString()!;

        var (status, body) = await PostAsync(client, $"/v1/threads/{thread}/runs",
            $$$"""{"assistant_id":"{{{assistantId}}}","stream":true,"truncation_strategy":{"type":"last_messages","last_messages":2}}""");
        var run = (await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync()).GetProperty("data")[0];

        Assert.True(status == HttpStatusCode.OK, body);
        var sent = Sent(model.Requests.Single());
        Assert.Equal(["system", "assistant", "user"], sent.Select(m => m.Role));
        Assert.Contains("Answer from the handbook.", sent[0].Content);
        Assert.Contains("Holidays are 25 days a year.", sent[0].Content);
        Assert.Equal(("Second answer", "How many holidays?"), (sent[1].Content, sent[2].Content));
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("last_messages", run.GetProperty("truncation_strategy").GetProperty("type").GetString());
        Assert.Equal(2, run.GetProperty("truncation_strategy").GetProperty("last_messages").GetInt32());
    }

    [Fact]
    public async Task AThreadAndRunWithLastMessagesKeepsOnlyThatManyAndAnAutoRunKeepsThemAll()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Noted"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_trunc_thread_run");
        var assistantId = await client.CreateAssistantAsync("Be brief.");
        const string messages = """[{"role":"user","content":"One"},{"role":"assistant","content":"Two"},{"role":"user","content":"Three"}]""";

        var (lastStatus, lastBody) = await PostAsync(client, "/v1/threads/runs", $$$"""
            {"assistant_id":"{{{assistantId}}}","stream":true,"thread":{"messages":{{{messages}}}},
             "truncation_strategy":{"type":"last_messages","last_messages":1}}
            """);
        var (autoStatus, autoBody) = await PostAsync(client, "/v1/threads/runs", $$$"""
            {"assistant_id":"{{{assistantId}}}","stream":true,"thread":{"messages":{{{messages}}}},"truncation_strategy":{"type":"auto","last_messages":null}}
            """);

        Assert.True(lastStatus == HttpStatusCode.OK, lastBody);
        Assert.True(autoStatus == HttpStatusCode.OK, autoBody);
        Assert.Equal(["system", "user"], Sent(model.Requests[0]).Select(m => m.Role));
        Assert.Equal("Three", Sent(model.Requests[0])[1].Content);
        Assert.Equal(["system", "user", "assistant", "user"], Sent(model.Requests[1]).Select(m => m.Role));
        var created = RunCreated(lastBody);
        Assert.Equal("last_messages", created.GetProperty("truncation_strategy").GetProperty("type").GetString());
        Assert.Equal(1, created.GetProperty("truncation_strategy").GetProperty("last_messages").GetInt32());
        Assert.Equal("auto", RunCreated(autoBody).GetProperty("truncation_strategy").GetProperty("type").GetString());
    }

    private static JsonElement RunCreated(string sse)
    {
        var lines = TestSupport.SseLines(sse);
        var at = lines.IndexOf("event: thread.run.created");
        return JsonDocument.Parse(lines[at + 1]["data: ".Length..]).RootElement;
    }

    [Theory]
    [InlineData("""{"type":"last_messages","last_messages":0}""", "truncation_strategy.last_messages", "invalid_value")]
    [InlineData("""{"type":"last_messages","last_messages":-3}""", "truncation_strategy.last_messages", "invalid_value")]
    [InlineData("""{"type":"last_messages","last_messages":"2"}""", "truncation_strategy.last_messages", "invalid_value")]
    [InlineData("""{"type":"last_messages","last_messages":1.5}""", "truncation_strategy.last_messages", "invalid_value")]
    [InlineData("""{"type":"last_messages"}""", "truncation_strategy.last_messages", "invalid_value")]
    [InlineData("""{"type":"first_messages","last_messages":2}""", "truncation_strategy.type", "invalid_value")]
    [InlineData("\"last_messages\"", "truncation_strategy", "invalid_type")]
    public async Task ABadTruncationStrategyIsRefusedByNameAndNeitherRunNorThreadIsMade(string strategy, string param, string code)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_trunc_bad");
        var assistantId = await client.CreateAssistantAsync();
        var (_, threadBody) = await PostAsync(client, "/v1/threads", "{}");
        var thread = JsonDocument.Parse(threadBody).RootElement.GetProperty("id").GetString();

        var (onThread, onThreadBody) = await PostAsync(client, $"/v1/threads/{thread}/runs",
            $$"""{"assistant_id":"{{assistantId}}","truncation_strategy":{{strategy}}}""");
        var (withThread, withThreadBody) = await PostAsync(client, "/v1/threads/runs",
            $$"""{"assistant_id":"{{assistantId}}","truncation_strategy":{{strategy}}}""");

        foreach (var (status, body) in new[] { (onThread, onThreadBody), (withThread, withThreadBody) })
        {
            Assert.True(status == HttpStatusCode.BadRequest, body);
            var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
            Assert.Equal((param, code), (error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
        }
        Assert.Equal(0, (await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync()).GetProperty("data").GetArrayLength());
        Assert.Equal(1, (await (await client.GetAsync("/v1/threads")).JsonAsync()).GetProperty("data").GetArrayLength());
    }
}
