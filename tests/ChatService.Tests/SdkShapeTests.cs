using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>
/// Fields as the official openai npm package's types declare them: a required field is there, and an optional field
/// the service cannot fill is left out, because those types allow it absent but not null.
/// </summary>
public sealed class SdkShapeTests
{
    [Fact]
    public async Task AResponseNamesNoAccessProgramAndNoInputTokenReadFromOrWrittenToAPromptCache()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_shape_usage");

        var response = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello" })).JsonAsync();

        Assert.Equal(JsonValueKind.Null, response.GetProperty("access_programs").ValueKind);
        var details = response.GetProperty("usage").GetProperty("input_tokens_details");
        Assert.Equal(0, details.GetProperty("cache_write_tokens").GetInt32());
        Assert.Equal(0, details.GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task AStreamedResponseHasNoUsageUntilItIsCountedAndNeverANullUser()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_shape_stream");

        using var streamed = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello", stream = true });
        var responses = DataLines(await streamed.Content.ReadAsStringAsync())
            .Where(e => e.TryGetProperty("response", out _)).Select(e => (Type: e.GetProperty("type").GetString(), Response: e.GetProperty("response"))).ToList();

        Assert.Equal(["response.created", "response.in_progress", "response.completed"], responses.Select(r => r.Type));
        Assert.All(responses.Take(2), r => Assert.False(r.Response.TryGetProperty("usage", out _)));
        Assert.True(responses[^1].Response.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        Assert.All(responses, r => Assert.False(r.Response.TryGetProperty("user", out _)));
    }

    [Fact]
    public async Task StreamedChunksNameTheRoleInTheFirstDeltaOnlyAndCarryNoNullFingerprint()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_shape_chunks");
        var request = new { model = "gpt-4o-mini", stream = true, messages = new[] { new { role = "user", content = "Hello there" } } };

        using var streamed = await http.PostAsJsonAsync("/v1/chat/completions", request);
        var chunks = DataLines(await streamed.Content.ReadAsStringAsync());
        var whole = await (await http.PostAsJsonAsync("/v1/chat/completions", request with { stream = false })).JsonAsync();

        var deltas = chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta")).ToList();
        Assert.True(deltas.Count > 2, $"{deltas.Count} chunks");
        Assert.Equal("assistant", deltas[0].GetProperty("role").GetString());
        Assert.All(deltas.Skip(1), d => Assert.False(d.TryGetProperty("role", out _), d.GetRawText()));
        Assert.All(chunks.Append(whole), c => Assert.False(c.TryGetProperty("system_fingerprint", out _), c.GetRawText()));
    }

    [Fact]
    public async Task ARunOfAnAssistantWithoutInstructionsShowsEmptyInstructionsPolledAndStreamed()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_shape_run");
        var assistant = await (await http.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "Bare" })).JsonAsync();
        var assistantId = assistant.GetProperty("id").GetString();
        var thread = new { messages = new[] { new { role = "user", content = "Hello" } } };

        var run = await (await http.PostAsJsonAsync("/v1/threads/runs", new { assistant_id = assistantId, thread })).JsonAsync();
        using var streamed = await http.PostAsJsonAsync("/v1/threads/runs", new { assistant_id = assistantId, thread, stream = true });
        var runEvents = DataLines(await streamed.Content.ReadAsStringAsync()).Where(e => e.GetProperty("object").GetString() == "thread.run").ToList();

        Assert.Equal(JsonValueKind.Null, assistant.GetProperty("instructions").ValueKind);
        Assert.Equal("", run.GetProperty("instructions").GetString());
        Assert.NotEmpty(runEvents);
        Assert.All(runEvents, e => Assert.Equal("", e.GetProperty("instructions").GetString()));
    }

    [Fact]
    public async Task ARunWhoseAnswerIsCutAtMaxCompletionTokensEndsIncomplete()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_shape_cut");
        var assistantId = await http.CreateAssistantAsync();
        var thread = new { messages = new[] { new { role = "user", content = "Tell me all about the leave policy" } } };

        using var streamed = await http.PostAsJsonAsync("/v1/threads/runs", new { assistant_id = assistantId, thread, stream = true, max_completion_tokens = 2 });
        var events = TestSupport.SseLines(await streamed.Content.ReadAsStringAsync()).Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).ToList();
        var run = await (await http.PostAsJsonAsync("/v1/threads/runs", new { assistant_id = assistantId, thread, max_completion_tokens = 2 })).JsonAsync();
        var threadId = run.GetProperty("thread_id").GetString();
        for (var i = 0; i < 200 && run.GetProperty("status").GetString() is "queued" or "in_progress"; i++)
        {
            await Task.Delay(50);
            run = await (await http.GetAsync($"/v1/threads/{threadId}/runs/{run.GetProperty("id").GetString()}")).JsonAsync();
        }
        var cut = (await (await http.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync()).GetProperty("data")[0];

        Assert.Contains("event: thread.message.incomplete", events);
        Assert.Equal("event: thread.run.incomplete", events[^2]);
        Assert.Equal("incomplete", run.GetProperty("status").GetString());
        Assert.Equal("max_completion_tokens", run.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("completed_at").ValueKind);
        Assert.Equal("incomplete", cut.GetProperty("status").GetString());
        Assert.Equal("max_tokens", cut.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.True(cut.GetProperty("incomplete_at").GetInt64() >= cut.GetProperty("created_at").GetInt64());
        Assert.Equal(2, run.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task AnAnswerCutAtItsTokenCapIsPartOfWhatTheModelIsSentNext()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => ScriptedModel.StreamTextEndingAsync(context, "length", "Twenty", " five"));
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_shape_context");
        var assistantId = await http.CreateAssistantAsync();
        var threadId = (await (await http.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString();

        foreach (var question in new[] { "How many leave days?", "And for part-timers?" })
        {
            using var run = await http.PostAsJsonAsync($"/v1/threads/{threadId}/runs",
                new { assistant_id = assistantId, stream = true, additional_messages = new[] { new { role = "user", content = question } } });
            Assert.Contains("event: thread.run.incomplete", await run.Content.ReadAsStringAsync());
        }

        var sent = JsonNode.Parse(model.Requests[^1].Body)!["messages"]!.AsArray();
        Assert.Contains(sent, m => m!["role"]!.GetValue<string>() == "assistant" && m["content"]!.ToJsonString().Contains("Twenty five", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAnswerCutAtItsTokenCapCountsAsTheLastAnswerWhenTheAssistantsInstructionsChange()
    {
        // Fresh context applies to assistants with knowledge: the fingerprint is of instructions and knowledge version.
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("policy.txt", "Leave is 25 days."));
        await using var model = await ScriptedHttpServer.StartAsync(context => ScriptedModel.StreamTextEndingAsync(context, "length", "Twenty", " five"));
        await using var service = TestSupport.Service().WithDocuments(documents).WithModel(model);
        using var http = service.Client("usr_shape_fresh_context");
        var assistantId = await http.CreateAssistantAsync();
        var threadId = (await (await http.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString();

        foreach (var (question, instructions) in new[] { ("How many leave days?", null), ("And for part-timers?", "Answer in French."), ("And for interns?", null) })
        {
            if (instructions is not null)
            {
                (await http.PostAsJsonAsync($"/v1/assistants/{assistantId}", new { instructions })).EnsureSuccessStatusCode();
            }
            using var run = await http.PostAsJsonAsync($"/v1/threads/{threadId}/runs",
                new { assistant_id = assistantId, stream = true, additional_messages = new[] { new { role = "user", content = question } } });
            Assert.Contains("event: thread.run.incomplete", await run.Content.ReadAsStringAsync());
        }

        // Fresh context starts after the last answer given under the old instructions, the cut one included.
        var sent = JsonNode.Parse(model.Requests[^1].Body)!["messages"]!.ToJsonString();
        Assert.DoesNotContain("How many leave days?", sent, StringComparison.Ordinal);
        Assert.Contains("And for part-timers?", sent, StringComparison.Ordinal);
        Assert.Contains("And for interns?", sent, StringComparison.Ordinal);
    }

    private static List<JsonElement> DataLines(string body) =>
        TestSupport.SseLines(body).Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.Clone()).ToList();
}
