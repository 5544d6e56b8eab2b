using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Data;

namespace ChatService.Tests;

/// <summary>
/// Assistants runs with tools: file_search over vector stores (a stand-in document-service answers the vector store
/// routes), run steps, and function calls that stop a run until submit_tool_outputs continues it.
/// </summary>
public sealed class AssistantToolsTests
{
    private const string Handbook = "vs_handbook";

    /// <summary>document-service as the chat service sees it: one store of its own (vs_handbook) and the assistant's.</summary>
    private static Task<ScriptedHttpServer> VectorStoresAsync() => TestSupport.VectorStoresAsync(store => store == Handbook);

    private static async Task<JsonElement> WaitForRunAsync(HttpClient client, string threadId, string runId, params string[] statuses)
    {
        JsonElement run = default;
        await Wait.UntilAsync(async () =>
        {
            run = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}")).JsonAsync();
            return statuses.Contains(run.GetProperty("status").GetString());
        }, TimeSpan.FromSeconds(30), $"run {runId} to reach {string.Join("/", statuses)}");
        return run;
    }

    private static async Task<(string Assistant, string Thread)> AssistantAndThreadAsync(HttpClient client, object tools, object? toolResources = null)
    {
        using var created = await client.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", instructions = "Answer from the handbook.", tools, tool_resources = toolResources });
        var assistant = (await created.JsonAsync()).GetProperty("id").GetString()!;
        using var thread = await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "How many vacation days do employees get?" } } });
        return (assistant, (await thread.JsonAsync()).GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task AFileSearchRunCitesTheFileItFoundAndRecordsItsSteps()
    {
        await using var documents = await VectorStoresAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_fs");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new[] { new { type = "file_search" } },
            new { file_search = new { vector_store_ids = new[] { Handbook } } });

        var assistant = await (await client.GetAsync($"/v1/assistants/{assistantId}")).JsonAsync();
        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId })).JsonAsync();
        var done = await WaitForRunAsync(client, threadId, run.GetProperty("id").GetString()!, "completed", "failed");
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?order=desc&limit=1")).JsonAsync();
        var steps = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{done.GetProperty("id").GetString()}/steps?order=asc")).JsonAsync();
        var withContent = await (await client.GetAsync(
            $"/v1/threads/{threadId}/runs/{done.GetProperty("id").GetString()}/steps?order=asc&include[]=step_details.tool_calls[*].file_search.results[*].content")).JsonAsync();

        Assert.Equal([$"vs_{assistantId}", Handbook],
            assistant.GetProperty("tool_resources").GetProperty("file_search").GetProperty("vector_store_ids").EnumerateArray().Select(i => i.GetString()!));
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("file_search", done.GetProperty("tools")[0].GetProperty("type").GetString());
        var text = messages.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text");
        var value = text.GetProperty("value").GetString()!;
        var citation = Assert.Single(text.GetProperty("annotations").EnumerateArray());
        Assert.Contains("25 vacation days", value, StringComparison.Ordinal);
        Assert.Equal("file_citation", citation.GetProperty("type").GetString());
        Assert.Equal("file_leave", citation.GetProperty("file_citation").GetProperty("file_id").GetString());
        Assert.Equal(citation.GetProperty("text").GetString(),
            value[citation.GetProperty("start_index").GetInt32()..citation.GetProperty("end_index").GetInt32()]);
        Assert.Equal("【1†leave.md】", citation.GetProperty("text").GetString());

        var kinds = steps.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("step_details").GetProperty("type").GetString()).ToList();
        Assert.Equal(["tool_calls", "message_creation"], kinds);
        var search = steps.GetProperty("data")[0].GetProperty("step_details").GetProperty("tool_calls")[0];
        Assert.Equal("file_search", search.GetProperty("type").GetString());
        var result = Assert.Single(search.GetProperty("file_search").GetProperty("results").EnumerateArray());
        Assert.Equal("leave.md", result.GetProperty("file_name").GetString());
        Assert.False(result.TryGetProperty("content", out _));
        Assert.Contains("25 vacation days", withContent.GetProperty("data")[0].GetProperty("step_details").GetProperty("tool_calls")[0]
            .GetProperty("file_search").GetProperty("results")[0].GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(messages.GetProperty("data")[0].GetProperty("id").GetString(),
            steps.GetProperty("data")[1].GetProperty("step_details").GetProperty("message_creation").GetProperty("message_id").GetString());
        Assert.Contains(documents.Requests, r => r.PathAndQuery == $"/v1/vector_stores/vs_{assistantId}/search");
        Assert.Contains(documents.Requests, r => r.PathAndQuery == $"/v1/vector_stores/{Handbook}/search");
    }

    [Fact]
    public async Task AStreamedRunShowsItsSearchResultsContentInItsStepEventOnlyWhenIncludeAsks()
    {
        await using var documents = await VectorStoresAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_fs_include");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new[] { new { type = "file_search" } },
            new { file_search = new { vector_store_ids = new[] { Handbook } } });
        using var thread2 = await client.PostAsJsonAsync("/v1/threads", new { messages = new[] { new { role = "user", content = "How many vacation days?" } } });
        var secondThread = (await thread2.JsonAsync()).GetProperty("id").GetString()!;

        async Task<JsonNode> SearchStepAsync(string thread, string query)
        {
            using var streamed = await client.PostAsJsonAsync($"/v1/threads/{thread}/runs{query}", new { assistant_id = assistantId, stream = true });
            var events = Events(await streamed.Content.ReadAsStringAsync());
            return events.First(e => e.Name == "thread.run.step.completed"
                && (string?)e.Data["step_details"]!["type"] == "tool_calls").Data["step_details"]!["tool_calls"]![0]!["file_search"]!["results"]![0]!;
        }
        var plain = await SearchStepAsync(threadId, "");
        var included = await SearchStepAsync(secondThread, "?include[]=step_details.tool_calls[*].file_search.results[*].content");

        Assert.Null(plain["content"]);
        Assert.Contains("25 vacation days", (string?)included["content"]![0]!["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AVectorStoreTheCallerCannotReachOrAMalformedToolIsRefused()
    {
        await using var documents = await VectorStoresAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_fs_bad");

        using var unknownStore = await client.PostAsJsonAsync("/v1/assistants", new
        {
            model = "m", tools = new[] { new { type = "file_search" } }, tool_resources = new { file_search = new { vector_store_ids = new[] { "vs_elsewhere" } } },
        });
        using var badTool = await client.PostAsJsonAsync("/v1/assistants", new { model = "m", tools = new[] { new { type = "function" } } });
        using var unknownType = await client.PostAsJsonAsync("/v1/assistants", new { model = "m", tools = new[] { new { type = "web_browser" } } });
        using var badThread = await client.PostAsJsonAsync("/v1/threads", new { tool_resources = new { file_search = new { vector_store_ids = "vs_handbook" } } });

        foreach (var response in new[] { unknownStore, badTool, unknownType, badThread })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        }
    }

    private static readonly object Weather = new
    {
        type = "function",
        function = new
        {
            name = "get_weather",
            description = "The weather in a city",
            parameters = new { type = "object", properties = new { city = new { type = "string" } }, required = new[] { "city" } },
        },
    };

    [Fact]
    public async Task AFunctionCallStopsTheRunUntilItsOutputIsSubmitted()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_fn");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new[] { Weather });

        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId, tool_choice = "required" })).JsonAsync();
        var runId = run.GetProperty("id").GetString()!;
        var waiting = await WaitForRunAsync(client, threadId, runId, "requires_action", "failed");
        var call = waiting.GetProperty("required_action").GetProperty("submit_tool_outputs").GetProperty("tool_calls")[0];
        var callId = call.GetProperty("id").GetString()!;
        using var wrongCall = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{runId}/submit_tool_outputs",
            new { tool_outputs = new[] { new { tool_call_id = "call_other", output = "x" } } });
        var submitted = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{runId}/submit_tool_outputs",
            new { tool_outputs = new[] { new { tool_call_id = callId, output = "sunny, 21 degrees" } } })).JsonAsync();
        var done = await WaitForRunAsync(client, threadId, runId, "completed", "failed");
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?order=desc&limit=1")).JsonAsync();
        var steps = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{runId}/steps?order=asc")).JsonAsync();
        using var late = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{runId}/submit_tool_outputs",
            new { tool_outputs = new[] { new { tool_call_id = callId, output = "again" } } });

        Assert.Equal("requires_action", waiting.GetProperty("status").GetString());
        Assert.Equal("submit_tool_outputs", waiting.GetProperty("required_action").GetProperty("type").GetString());
        Assert.True(waiting.GetProperty("expires_at").GetInt64() > waiting.GetProperty("created_at").GetInt64());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("How many vacation days do employees get?",
            JsonNode.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!)!["city"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, wrongCall.StatusCode);
        Assert.Equal("queued", submitted.GetProperty("status").GetString());
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("required_action").ValueKind);
        Assert.Equal("The function get_weather returned: sunny, 21 degrees",
            messages.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
        var functionStep = steps.GetProperty("data")[0].GetProperty("step_details").GetProperty("tool_calls")[0];
        Assert.Equal("sunny, 21 degrees", functionStep.GetProperty("function").GetProperty("output").GetString());
        Assert.Equal("message_creation", steps.GetProperty("data")[1].GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
    }

    [Fact]
    public async Task WhileARunHoldsTheThreadItTakesNoNewMessageNorAnotherRunAndAfterwardsItDoes()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_fn_busy");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new[] { Weather });
        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId, tool_choice = "required" })).JsonAsync();
        var runId = run.GetProperty("id").GetString()!;
        var waiting = await WaitForRunAsync(client, threadId, runId, "requires_action", "failed");

        using var message = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new { role = "user", content = "And tomorrow?" });
        using var second = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId });
        var callId = waiting.GetProperty("required_action").GetProperty("submit_tool_outputs").GetProperty("tool_calls")[0].GetProperty("id").GetString();
        await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{runId}/submit_tool_outputs",
            new { tool_outputs = new[] { new { tool_call_id = callId, output = "sunny" } } })).JsonAsync();
        await WaitForRunAsync(client, threadId, runId, "completed", "failed");
        using var after = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new { role = "user", content = "And tomorrow?" });
        var messages = await (await client.GetAsync($"/v1/threads/{threadId}/messages?limit=100")).JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, message.StatusCode);
        var error = JsonDocument.Parse(await message.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal($"Can't add messages to {threadId} while a run {runId} is active.", error.GetProperty("message").GetString());
        Assert.Equal("thread_busy", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Single(messages.GetProperty("data").EnumerateArray(), m =>
            m.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString() == "And tomorrow?");
    }

    [Fact]
    public async Task AModelsToolCallStreamsRequiresActionAndAStreamedSubmitFinishesTheRun()
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            var answered = body["messages"]!.AsArray().Any(m => m!["role"]!.GetValue<string>() == "tool");
            if (answered)
            {
                await TestSupport.WriteCompletionStreamAsync(context, 12, "It is ", "sunny.");
            }
            else
            {
                await ScriptedHttpServer.WriteToolCallStreamAsync(context, "call_up1", "get_weather", "{\"city\":\"Lisbon\"}");
            }
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_fn_stream");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new[] { Weather });

        using var first = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId, stream = true });
        var firstEvents = Events(await first.Content.ReadAsStringAsync());
        var waiting = firstEvents.Last(e => e.Name == "thread.run.requires_action").Data;
        var runId = waiting["id"]!.GetValue<string>();
        using var second = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{runId}/submit_tool_outputs",
            new { stream = true, tool_outputs = new[] { new { tool_call_id = "call_up1", output = "{\"sky\":\"clear\"}" } } });
        var secondEvents = Events(await second.Content.ReadAsStringAsync());
        var sent = JsonNode.Parse(model.Requests[1].Body)!["messages"]!.AsArray();

        Assert.Equal("{\"city\":\"Lisbon\"}", waiting["required_action"]!["submit_tool_outputs"]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.DoesNotContain(firstEvents, e => e.Name == "thread.message.created");
        Assert.Equal("done", firstEvents[^1].Name);
        Assert.Equal("thread.run.step.completed", secondEvents[0].Name);
        Assert.Equal("{\"sky\":\"clear\"}", secondEvents[0].Data["step_details"]!["tool_calls"]![0]!["function"]!["output"]!.GetValue<string>());
        Assert.Equal("thread.run.completed", secondEvents[^2].Name);
        Assert.Equal("It is sunny.", secondEvents.Last(e => e.Name == "thread.message.completed").Data["content"]![0]!["text"]!["value"]!.GetValue<string>());
        Assert.Equal("call_up1", sent.Single(m => m!["role"]!.GetValue<string>() == "tool")!["tool_call_id"]!.GetValue<string>());
        Assert.Contains(sent, m => m!["tool_calls"] is JsonArray calls && calls[0]!["function"]!["name"]!.GetValue<string>() == "get_weather");
    }

    [Fact]
    public async Task AStreamedRunAnnouncesEachToolCallInAStepDeltaAsTheSdkStreamHelpersReadThem()
    {
        await using var documents = await VectorStoresAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_fn_delta");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new object[] { new { type = "file_search" }, Weather },
            new { file_search = new { vector_store_ids = new[] { Handbook } } });

        using var streamed = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new
        {
            assistant_id = assistantId, stream = true, tool_choice = "required",
        });
        var events = Events(await streamed.Content.ReadAsStringAsync());
        var toolSteps = events.Where(e => e.Name.StartsWith("thread.run.step.", StringComparison.Ordinal)
            && (string?)e.Data["step_details"]?["type"] == "tool_calls").ToList();
        var deltas = events.Where(e => e.Name == "thread.run.step.delta").Select(e => e.Data).ToList();
        var search = deltas[0]["delta"]!["step_details"]!["tool_calls"]![0]!;
        var call = deltas[1]["delta"]!["step_details"]!["tool_calls"]![0]!;

        // created and in_progress show no calls yet (a client adds the delta to them), the delta names each call
        Assert.All(toolSteps.Where(e => e.Name != "thread.run.step.completed"), e => Assert.Empty(e.Data["step_details"]!["tool_calls"]!.AsArray()));
        Assert.Equal(2, deltas.Count);
        Assert.All(deltas, d => Assert.Equal("thread.run.step.delta", (string?)d["object"]));
        Assert.Equal(0, (int)search["index"]!);
        Assert.Equal("file_search", (string?)search["type"]);
        Assert.Null(search["file_search"]!["results"]);
        Assert.Equal(0, (int)call["index"]!);
        Assert.Equal("function", (string?)call["type"]);
        Assert.Equal("get_weather", (string?)call["function"]!["name"]);
        Assert.StartsWith("call_", (string?)call["id"], StringComparison.Ordinal);
        Assert.Contains("city", (string?)call["function"]!["arguments"], StringComparison.Ordinal);
        Assert.Equal(events.IndexOf(events.Single(e => e.Name == "thread.run.requires_action")) - 1, events.FindLastIndex(e => e.Name == "thread.run.step.delta"));
    }

    [Fact]
    public async Task ARunForcedToCallAFunctionCallsItWithoutSearchingTheAssistantsFilesFirst()
    {
        await using var documents = await VectorStoresAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_fn_forced");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new object[] { new { type = "file_search" }, Weather },
            new { file_search = new { vector_store_ids = new[] { Handbook } } });

        var run = await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new
        {
            assistant_id = assistantId, tool_choice = new { type = "function", function = new { name = "get_weather" } },
        })).JsonAsync();
        var waiting = await WaitForRunAsync(client, threadId, run.GetProperty("id").GetString()!, "requires_action", "completed", "failed");
        var steps = (await (await client.GetAsync($"/v1/threads/{threadId}/runs/{waiting.GetProperty("id").GetString()}/steps")).JsonAsync())
            .GetProperty("data").EnumerateArray().ToList();

        Assert.Equal("requires_action", waiting.GetProperty("status").GetString());
        Assert.Equal("get_weather", waiting.GetProperty("required_action").GetProperty("submit_tool_outputs").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
        var only = Assert.Single(steps);
        Assert.Equal("function", only.GetProperty("step_details").GetProperty("tool_calls")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task AWaitingRunCanBeCancelledAndAnExpiredOneTakesNoOutputs()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_fn_end");
        var (assistantId, threadId) = await AssistantAndThreadAsync(client, new[] { Weather });
        var first = (await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId, tool_choice = new { type = "function", function = new { name = "get_weather" } } })).JsonAsync()).GetProperty("id").GetString()!;
        await WaitForRunAsync(client, threadId, first, "requires_action");
        var cancelled = await (await client.PostAsync($"/v1/threads/{threadId}/runs/{first}/cancel", null)).JsonAsync();

        var second = (await (await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs", new { assistant_id = assistantId, tool_choice = "required" })).JsonAsync()).GetProperty("id").GetString()!;
        var waiting = await WaitForRunAsync(client, threadId, second, "requires_action");
        using (var scope = factory.Services.CreateScope())
        {
            // The ten minutes have passed.
            await scope.ServiceProvider.GetRequiredService<ChatDbContext>().Runs.Where(r => r.Id == second)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.ExpiresAt, Ids.Now() - 1));
        }
        var callId = waiting.GetProperty("required_action").GetProperty("submit_tool_outputs").GetProperty("tool_calls")[0].GetProperty("id").GetString();
        using var refused = await client.PostAsJsonAsync($"/v1/threads/{threadId}/runs/{second}/submit_tool_outputs",
            new { tool_outputs = new[] { new { tool_call_id = callId, output = "late" } } });
        var expired = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{second}")).JsonAsync();
        var steps = await (await client.GetAsync($"/v1/threads/{threadId}/runs/{second}/steps")).JsonAsync();

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        Assert.Equal("expired", steps.GetProperty("data")[0].GetProperty("status").GetString());
    }

    private static List<(string Name, JsonNode Data)> Events(string sse) =>
        sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n'))
            .Where(lines => lines.Any(l => l.StartsWith("event: ", StringComparison.Ordinal)))
            .Select(lines => (lines.First(l => l.StartsWith("event: ", StringComparison.Ordinal))[7..],
                lines.FirstOrDefault(l => l.StartsWith("data: ", StringComparison.Ordinal)) is { } d && d != "data: [DONE]" ? JsonNode.Parse(d[6..])! : new JsonObject()))
            .ToList();
}
