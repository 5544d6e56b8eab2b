using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>
/// Inputs OpenAI's API refuses, which were once taken here with a 200 and left out: a conversation's update with
/// items, and `include` values outside OpenAI's set on every route that takes `include`. Each is a 400 in OpenAI's
/// words, naming the field and the values it takes, and leaves everything as it was.
/// </summary>
public sealed class RefusedInputTests
{
    private const string ResponseIncludes = "'file_search_call.results', 'web_search_call.results', 'web_search_call.action.sources', "
        + "'message.input_image.image_url', 'computer_call_output.output.image_url', 'code_interpreter_call.outputs', "
        + "'reasoning.encrypted_content', and 'message.output_text.logprobs'";

    private const string StepIncludes = "'step_details.tool_calls[*].file_search.results[*].content'";

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("error");
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task AConversationUpdateWithItemsIsRefusedNamingItemsAndNeitherItemsNorMetadataChange()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_conv_update");
        var conversation = (await (await client.PostAsJsonAsync("/v1/conversations", new { metadata = new { topic = "leave" } })).JsonAsync())
            .GetProperty("id").GetString()!;

        using var response = await client.PostAsync($"/v1/conversations/{conversation}",
            Body("""{"metadata":{"topic":"travel"},"items":[{"type":"message","role":"user","content":"hi"}]}"""));
        var error = await ErrorAsync(response);

        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("unknown_parameter", error.GetProperty("code").GetString());
        Assert.Equal("items", error.GetProperty("param").GetString());
        Assert.Equal($"Unknown parameter: 'items'. A conversation's update takes metadata only; add items with POST /v1/conversations/{conversation}/items.",
            error.GetProperty("message").GetString());
        var kept = await (await client.GetAsync($"/v1/conversations/{conversation}")).JsonAsync();
        Assert.Equal("leave", kept.GetProperty("metadata").GetProperty("topic").GetString());
        var items = await (await client.GetAsync($"/v1/conversations/{conversation}/items")).JsonAsync();
        Assert.Equal(0, items.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}", "tool_choice")]
    [InlineData("\"tools\":[{\"type\":\"browser\"}]", "tools")]
    [InlineData("\"max_completion_tokens\":0", "max_completion_tokens")]
    public async Task ACreateThreadAndRunRefusedForItsRunLeavesNoThreadBehind(string field, string param)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_orphan_" + param);
        var assistant = await client.CreateAssistantAsync();

        using var refused = await client.PostAsync("/v1/threads/runs", Body(
            "{\"assistant_id\":\"" + assistant + "\"," + field + ",\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}"));
        var error = await ErrorAsync(refused);
        var threads = await (await client.GetAsync("/v1/threads")).JsonAsync();

        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(0, threads.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task AnImagePartBesideTextIsRefusedByItsTypeOnChatCompletionsAndThreadMessagesAndNoMessageIsKept()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_image_part");
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;

        using var chat = await client.PostAsync("/v1/chat/completions", Body("""
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"What is in this picture?"},
             {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}
            """));
        using var message = await client.PostAsync($"/v1/threads/{thread}/messages", Body("""
            {"role":"user","content":[{"type":"text","text":"What is in this picture?"},{"type":"image_file","image_file":{"file_id":"file_abc"}}]}
            """));
        using var replayedRefusal = await client.PostAsync("/v1/chat/completions", Body("""
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"},
             {"role":"assistant","content":[{"type":"refusal","refusal":"I cannot help with that."}]},{"role":"user","content":"Why?"}]}
            """));
        var chatError = await ErrorAsync(chat);
        var messageError = await ErrorAsync(message);
        var kept = await (await client.GetAsync($"/v1/threads/{thread}/messages")).JsonAsync();

        Assert.Equal("unsupported_content", chatError.GetProperty("code").GetString());
        Assert.Equal("messages", chatError.GetProperty("param").GetString());
        Assert.StartsWith("Content parts of type 'image_url' are not supported here", chatError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("unsupported_content", messageError.GetProperty("code").GetString());
        Assert.Equal("content", messageError.GetProperty("param").GetString());
        Assert.StartsWith("Content parts of type 'image_file' are not supported here", messageError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, kept.GetProperty("data").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, replayedRefusal.StatusCode);
    }

    [Fact]
    public async Task AnIncludeValueOutsideOpenAIsSetIsRefusedOnEveryRouteThatTakesIncludeAndNothingIsStored()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_include");
        var assistant = await client.CreateAssistantAsync();
        var conversation = (await (await client.PostAsJsonAsync("/v1/conversations", new { })).JsonAsync()).GetProperty("id").GetString()!;
        var response = (await (await client.PostAsJsonAsync("/v1/responses", new { model = assistant, input = "hi", store = true })).JsonAsync())
            .GetProperty("id").GetString()!;
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        var run = await RunToTheEndAsync(client, assistant);
        var item = "msg_none";

        (HttpRequestMessage Request, string Param, string Supported)[] refusals =
        [
            (new(HttpMethod.Post, "/v1/responses")
            {
                Content = Body($$"""{"model":"{{assistant}}","input":"hi","conversation":"{{conversation}}","include":["file_search_call.results","bogus"]}"""),
            }, "include[1]", ResponseIncludes),
            (new(HttpMethod.Get, $"/v1/responses/{response}?include[]=bogus"), "include[0]", ResponseIncludes),
            (new(HttpMethod.Get, $"/v1/responses/{response}/input_items?include=bogus"), "include[0]", ResponseIncludes),
            (new(HttpMethod.Post, $"/v1/conversations/{conversation}/items?include[]=bogus")
            {
                Content = Body("""{"items":[{"type":"message","role":"user","content":"hi"}]}"""),
            }, "include[0]", ResponseIncludes),
            (new(HttpMethod.Get, $"/v1/conversations/{conversation}/items?include[]=bogus"), "include[0]", ResponseIncludes),
            (new(HttpMethod.Get, $"/v1/conversations/{conversation}/items/{item}?include[]=bogus"), "include[0]", ResponseIncludes),
            (new(HttpMethod.Post, $"/v1/threads/{thread}/runs?include[]=bogus") { Content = Body($$"""{"assistant_id":"{{assistant}}"}""") },
                "include[0]", StepIncludes),
            (new(HttpMethod.Get, $"/v1/threads/{run.Thread}/runs/{run.Id}/steps?include[]=bogus"), "include[0]", StepIncludes),
            (new(HttpMethod.Get, $"/v1/threads/{run.Thread}/runs/{run.Id}/steps/{run.Step}?include[]=bogus"), "include[0]", StepIncludes),
        ];

        foreach (var (request, param, supported) in refusals)
        {
            using (request)
            {
                using var refused = await client.SendAsync(request);
                var error = await ErrorAsync(refused);
                Assert.Equal("invalid_value", error.GetProperty("code").GetString());
                Assert.Equal(param, error.GetProperty("param").GetString());
                Assert.Equal($"Invalid value: 'bogus'. Supported values are: {supported}.", error.GetProperty("message").GetString());
            }
        }

        var items = await (await client.GetAsync($"/v1/conversations/{conversation}/items")).JsonAsync();
        Assert.Equal(0, items.GetProperty("data").GetArrayLength());
        var runs = await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync();
        Assert.Equal(0, runs.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task LogprobsAreRefusedByNameWhileValuesForItemsNeverMadeHereAreTaken()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_include_known");
        var assistant = await client.CreateAssistantAsync();

        using var logprobs = await client.PostAsJsonAsync("/v1/responses",
            new { model = assistant, input = "hi", include = new[] { "message.output_text.logprobs" } });
        var error = await ErrorAsync(logprobs);
        using var known = await client.PostAsJsonAsync("/v1/responses",
            new { model = assistant, input = "hi", include = new[] { "file_search_call.results", "reasoning.encrypted_content", "web_search_call.results" } });

        Assert.Equal("unsupported_parameter", error.GetProperty("code").GetString());
        Assert.Equal("include[0]", error.GetProperty("param").GetString());
        Assert.Contains("message.output_text.logprobs", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        var id = (await known.JsonAsync()).GetProperty("id").GetString();
        using var retrieved = await client.GetAsync($"/v1/responses/{id}?include[]=file_search_call.results&include[]=reasoning.encrypted_content");
        Assert.Equal(HttpStatusCode.OK, retrieved.StatusCode);
    }

    /// <summary>A finished run on a thread of its own, with the id of its first step.</summary>
    private static async Task<(string Thread, string Id, string Step)> RunToTheEndAsync(HttpClient client, string assistant)
    {
        var run = await (await client.PostAsJsonAsync("/v1/threads/runs",
            new { assistant_id = assistant, thread = new { messages = new[] { new { role = "user", content = "hi" } } } })).JsonAsync();
        var (thread, id) = (run.GetProperty("thread_id").GetString()!, run.GetProperty("id").GetString()!);
        JsonElement steps = default;
        await Wait.UntilAsync(async () =>
        {
            var status = (await (await client.GetAsync($"/v1/threads/{thread}/runs/{id}")).JsonAsync()).GetProperty("status").GetString();
            steps = await (await client.GetAsync($"/v1/threads/{thread}/runs/{id}/steps")).JsonAsync();
            return status is "completed" or "failed" && steps.GetProperty("data").GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(30), $"run {id} to finish");
        return (thread, id, steps.GetProperty("data")[0].GetProperty("id").GetString()!);
    }
}
