using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Providers;
using Microsoft.Extensions.AI;
using OpenAI.Responses;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Tests;

/// <summary>
/// POST /v1/responses/compact and `compaction` items: a window compacted into its user messages and a sealed summary,
/// which the model reads in place of the earlier turns wherever the item comes back.
/// </summary>
public sealed class ResponsesCompactionTests
{
    private const string Answer = "The Oslo office opens at nine and closes at five.";
    private const string Summary = "SUMMARY: the assistant said the Oslo office keeps nine to five.";

    [Fact]
    public async Task TheSdksCompactionOfAChainFeedsTheNextCreateWhichReadsTheSummaryInPlaceOfTheAnswers()
    {
        await using var model = await ModelAsync();
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_compact");
        var responses = service.Sdk("usr_compact").GetResponsesClient();
        var first = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "When does the Oslo office open?" })).JsonAsync();

        var result = await responses.CompactResponseAsync(BinaryContent.Create(BinaryData.FromObjectAsJson(new
        {
            model = "gpt-4o-mini",
            previous_response_id = first.GetProperty("id").GetString(),
            instructions = "Keep office hours exact.",
            prompt_cache_key = "ignored-as-create-ignores-it",
        })), "application/json");
        var compacted = JsonDocument.Parse(result.GetRawResponse().Content).RootElement.Clone();
        var summarising = Prompt(model.Requests[^1]);

        Assert.Equal("response.compaction", compacted.GetProperty("object").GetString());
        Assert.StartsWith("resp_", compacted.GetProperty("id").GetString());
        Assert.True(compacted.GetProperty("created_at").GetInt64() > 0);
        var output = compacted.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["message", "compaction"], output.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("user", output[0].GetProperty("role").GetString());
        Assert.Equal("When does the Oslo office open?", output[0].GetProperty("content")[0].GetProperty("text").GetString());
        var sealedSummary = output[1].GetProperty("encrypted_content").GetString()!;
        Assert.StartsWith("cmp_", output[1].GetProperty("id").GetString());
        Assert.DoesNotContain("SUMMARY", sealedSummary + Unbase64(sealedSummary), StringComparison.Ordinal);
        var usage = compacted.GetProperty("usage");
        Assert.Equal((40, 7, 47), (usage.GetProperty("input_tokens").GetInt32(), usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32()));
        Assert.False(TestSupport.IsStreamRequest(model.Requests[^1]));
        Assert.Contains(Answer, summarising);
        Assert.Contains("Keep office hours exact.", summarising);
        Assert.Contains("Summarise the conversation above", summarising);

        var input = new JsonArray([.. output.Select(i => JsonNode.Parse(i.GetRawText()))]);
        input.Add(new JsonObject { ["role"] = "user", ["content"] = "And on Saturdays?" });
        var next = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input })).JsonAsync();
        var continued = Prompt(model.Requests[^1]);

        Assert.Equal("completed", next.GetProperty("status").GetString());
        Assert.Contains(Summary, continued);
        Assert.Contains("When does the Oslo office open?", continued);
        Assert.Contains("And on Saturdays?", continued);
        Assert.DoesNotContain(Answer, continued);
        var stored = await (await http.GetAsync($"/v1/responses/{next.GetProperty("id").GetString()}/input_items?order=asc")).JsonAsync();
        Assert.Equal(sealedSummary, stored.GetProperty("data")[1].GetProperty("encrypted_content").GetString());
    }

    [Fact]
    public async Task AChainContinuedWithItsCompactionItemReadsAsTheCompactedWindowDoes()
    {
        await using var model = await ModelAsync();
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_compact_chain");
        var first = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "When does the Oslo office open?" })).JsonAsync();
        var compacted = await (await http.PostAsJsonAsync("/v1/responses/compact",
            new { model = "gpt-4o-mini", previous_response_id = first.GetProperty("id").GetString() })).JsonAsync();
        var item = JsonNode.Parse(compacted.GetProperty("output")[1].GetRawText());

        var counted = await (await http.PostAsJsonAsync("/v1/responses/input_tokens", new
        {
            model = "gpt-4o-mini", previous_response_id = first.GetProperty("id").GetString(), input = new JsonArray(item, new JsonObject { ["role"] = "user", ["content"] = "Saturdays?" }),
        })).JsonAsync();
        var chained = await (await http.PostAsJsonAsync("/v1/responses", new
        {
            model = "gpt-4o-mini", previous_response_id = first.GetProperty("id").GetString(), input = new JsonArray(item!.DeepClone(), new JsonObject { ["role"] = "user", ["content"] = "Saturdays?" }),
        })).JsonAsync();
        var read = Prompt(model.Requests[^1]);
        var whole = await (await http.PostAsJsonAsync("/v1/responses/input_tokens", new
        {
            model = "gpt-4o-mini", previous_response_id = first.GetProperty("id").GetString(), input = "Saturdays?",
        })).JsonAsync();

        Assert.Equal("completed", chained.GetProperty("status").GetString());
        Assert.Contains(Summary, read);
        Assert.Contains("When does the Oslo office open?", read);
        Assert.DoesNotContain(Answer, read);
        Assert.NotEqual(whole.GetProperty("input_tokens").GetInt32(), counted.GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task ACompactionItemAddedToAConversationIsReadAsItsSummary()
    {
        await using var model = await ModelAsync();
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_compact_conv");
        var compacted = await (await http.PostAsJsonAsync("/v1/responses/compact", new
        {
            model = "gpt-4o-mini",
            input = new object[]
            {
                new { role = "user", content = "When does the Oslo office open?" },
                new { role = "assistant", content = Answer },
            },
        })).JsonAsync();
        var conversation = await (await http.PostAsJsonAsync("/v1/conversations", new { items = Array.Empty<object>() })).JsonAsync();
        var id = conversation.GetProperty("id").GetString();

        var added = await http.PostAsync($"/v1/conversations/{id}/items",
            JsonContent.Create(new { items = JsonNode.Parse(compacted.GetProperty("output").GetRawText()) }));
        var answered = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", conversation = id, input = "Saturdays?" })).JsonAsync();
        var read = Prompt(model.Requests[^1]);

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal("completed", answered.GetProperty("status").GetString());
        Assert.Contains(Summary, read);
        Assert.DoesNotContain(Answer, read);
        var items = await (await http.GetAsync($"/v1/conversations/{id}/items?order=asc")).JsonAsync();
        Assert.Equal("compaction", items.GetProperty("data")[1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task ForgedTamperedAndForeignCompactionContentIsA400InvalidValueWhereverItIsSent()
    {
        await using var service = TestSupport.Service();
        using var owner = service.Client("usr_compact_owner");
        var assistant = await owner.CreateAssistantAsync();
        var other = await owner.CreateAssistantAsync("You answer about travel.");
        using var stranger = service.Client("usr_compact_stranger");
        using var otherScope = service.Client("usr_compact_owner", [other]);
        var mine = await (await owner.PostAsJsonAsync("/v1/responses/compact", new { model = assistant, input = "Remember the code word: heron." })).JsonAsync();
        var sealedSummary = mine.GetProperty("output")[1].GetProperty("encrypted_content").GetString()!;
        var tampered = sealedSummary[..20] + (sealedSummary[20] == 'A' ? 'B' : 'A') + sealedSummary[21..];
        var conversation = (await (await stranger.PostAsJsonAsync("/v1/conversations", new { })).JsonAsync()).GetProperty("id").GetString();

        var cases = new (HttpClient Client, string Path, Func<string, object> Body, string Content, string Param)[]
        {
            (owner, "/v1/responses", c => new { model = "gpt-4o-mini", input = Compacted(c) }, "bm90IHNlYWxlZA", "input"),
            (owner, "/v1/responses", c => new { model = "gpt-4o-mini", input = Compacted(c) }, tampered, "input"),
            (stranger, "/v1/responses", c => new { model = "gpt-4o-mini", input = Compacted(c) }, sealedSummary, "input"),
            (stranger, "/v1/responses/input_tokens", c => new { model = "gpt-4o-mini", input = Compacted(c) }, sealedSummary, "input"),
            (stranger, "/v1/responses/compact", c => new { model = "gpt-4o-mini", input = Compacted(c) }, sealedSummary, "input"),
            (stranger, $"/v1/conversations/{conversation}/items", c => new { items = Compacted(c) }, sealedSummary, "items"),
            (stranger, "/v1/conversations", c => new { items = Compacted(c) }, sealedSummary, "items"),
            (otherScope, "/v1/responses", c => new { model = other, input = Compacted(c) }, sealedSummary, "input"),
            (owner, "/v1/responses", _ => new { model = "gpt-4o-mini", input = new object[] { new { type = "compaction" } } }, "", "input"),
        };
        foreach (var (client, path, body, content, param) in cases)
        {
            using var response = await client.PostAsJsonAsync(path, body(content));
            var text = await response.Content.ReadAsStringAsync();
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} as {param}: {(int)response.StatusCode} {text}");
            Assert.Equal("invalid_value", error.GetProperty("code").GetString());
            Assert.Equal(param, error.GetProperty("param").GetString());
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        }
        using var opened = await owner.PostAsJsonAsync("/v1/responses", new { model = assistant, input = Compacted(sealedSummary) });
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var items = await (await stranger.GetAsync($"/v1/conversations/{conversation}/items")).JsonAsync();
        Assert.Empty(items.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task ACompactionIsCheckedAsACreateIsWithOpenAIsErrorBody()
    {
        await using var service = TestSupport.Service();
        using var owner = service.Client("usr_compact_checks");
        var assistant = await owner.CreateAssistantAsync();
        var mine = (await (await owner.PostAsJsonAsync("/v1/responses", new { model = assistant, input = "mine" })).JsonAsync()).GetProperty("id").GetString();
        using var stranger = service.Client("usr_compact_checks_stranger");
        using var scoped = service.Client("usr_compact_checks", [assistant]);

        var cases = new (HttpClient Client, object Body, HttpStatusCode Status, string? Param)[]
        {
            (owner, new { input = "x" }, HttpStatusCode.BadRequest, "model"),
            (owner, new { model = "gpt-4o-mini" }, HttpStatusCode.BadRequest, "input"),
            (owner, new { model = "gpt-4o-mini", input = 7 }, HttpStatusCode.BadRequest, "input"),
            (owner, new { model = "gpt-4o-mini", input = new object[] { new { type = "web_search_call" } } }, HttpStatusCode.BadRequest, "input"),
            (stranger, new { model = "gpt-4o-mini", previous_response_id = mine }, HttpStatusCode.NotFound, null),
            (stranger, new { model = assistant, input = "x" }, HttpStatusCode.NotFound, null),
            (scoped, new { model = "gpt-4o-mini", input = "x" }, HttpStatusCode.Forbidden, null),
        };
        foreach (var (client, body, status, param) in cases)
        {
            using var response = await client.PostAsJsonAsync("/v1/responses/compact", body);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

            Assert.Equal(status, response.StatusCode);
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            if (param is not null)
            {
                Assert.Equal(param, error.GetProperty("param").GetString());
            }
        }
        using var allowed = await scoped.PostAsJsonAsync("/v1/responses/compact", new { model = assistant, previous_response_id = mine });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task OfflineTheSummaryIsTheTurnsCondensedTheSameEveryTimeAndTheCompactedWindowIsAnswered()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_compact_offline");
        var assistant = await http.CreateAssistantAsync();
        var window = new object[]
        {
            new { role = "user", content = "When does the Oslo office open?" },
            new { role = "assistant", content = Answer },
            new { role = "user", content = "Thanks." },
        };

        var once = await (await http.PostAsJsonAsync("/v1/responses/compact", new { model = assistant, input = window })).JsonAsync();
        var again = await (await http.PostAsJsonAsync("/v1/responses/compact", new { model = assistant, input = window })).JsonAsync();
        var input = JsonNode.Parse(once.GetProperty("output").GetRawText())!.AsArray();
        input.Add(new JsonObject { ["role"] = "user", ["content"] = "And on Saturdays?" });
        var next = await (await http.PostAsJsonAsync("/v1/responses", new { model = assistant, input })).JsonAsync();

        Assert.Equal(["message", "message", "compaction"], once.GetProperty("output").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        Assert.Equal(once.GetProperty("usage").GetRawText(), again.GetProperty("usage").GetRawText());
        Assert.True(once.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
        Assert.NotEqual(once.GetProperty("output")[2].GetProperty("encrypted_content").GetString(), again.GetProperty("output")[2].GetProperty("encrypted_content").GetString());
        Assert.Equal("completed", next.GetProperty("status").GetString());
    }

    [Fact]
    public void TheOfflineCondensationKeepsWhatCompactionDropsCutShortAndCarriesAnEarlierSummary()
    {
        AIChatMessage[] messages =
        [
            new(ChatRole.System, "instructions"),
            new(ChatRole.User, "When does the Oslo office open?"),
            new(ChatRole.Assistant, Answer),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_hours", new Dictionary<string, object?> { ["city"] = "Oslo" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "9-17 " + new string('x', 400))]),
            new(ChatRole.User, $"{ChatService.Services.ResponseCompaction.SummaryHeading}\nThe user works in Bergen."),
            new(ChatRole.User, "Summarise."),
        ];

        var condensed = OfflineCompaction.Condense(messages);

        Assert.Equal(
            $"{OfflineCompaction.Heading}\n- assistant: {Answer}\n- called get_hours({{\"city\":\"Oslo\"}})\n- function returned: 9-17 {new string('x', 195)}…\n- earlier: The user works in Bergen.",
            condensed);
        Assert.Equal($"{OfflineCompaction.Heading}\n{OfflineCompaction.NothingDropped}",
            OfflineCompaction.Condense([new(ChatRole.User, "Hi"), new(ChatRole.User, "Summarise.")]));
    }

    [Fact]
    public async Task TheSummarysModelCallSpendsTheKeysTokenBudget()
    {
        await using var model = await ModelAsync();
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.CreateDefaultClient().ActAs("usr_compact_budget", "key_compact_budget", tpm: 60);
        var longWindow = "Please keep all of this" + string.Concat(Enumerable.Repeat(" in mind", 60));

        using var refused = await http.PostAsJsonAsync("/v1/responses/compact", new { model = "gpt-4o-mini", input = longWindow });
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task AModelThatFailsToSummariseIsA502InOpenAIsErrorBody()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return context.Response.WriteAsync("upstream broke at 10.0.0.7");
        });
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.Client("usr_compact_failing");

        using var failed = await http.PostAsJsonAsync("/v1/responses/compact", new { model = "gpt-4o-mini", input = "Remember: heron." });
        var text = await failed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal("upstream_error", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("10.0.0.7", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACompactionSealedByOneInstanceOpensOnAnotherOfTheSameDatabase()
    {
        var database = await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("chat");
        string sealedSummary;
        await using (var first = TestSupport.Service().With("ConnectionStrings:chatdb", database))
        {
            using var http = first.Client("usr_compact_replicas");
            var compacted = await (await http.PostAsJsonAsync("/v1/responses/compact", new { model = "gpt-4o-mini", input = "Remember: heron." })).JsonAsync();
            sealedSummary = compacted.GetProperty("output")[1].GetProperty("encrypted_content").GetString()!;
        }
        await using var second = TestSupport.Service().With("ConnectionStrings:chatdb", database);
        using var again = second.Client("usr_compact_replicas");

        using var answered = await again.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = Compacted(sealedSummary) });

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    private static object[] Compacted(string encryptedContent) =>
        [new { type = "compaction", encrypted_content = encryptedContent }, new { role = "user", content = "What was it?" }];

    /// <summary>A model that streams <see cref="Answer"/> to a create and writes <see cref="Summary"/> when asked whole (the compaction).</summary>
    private static Task<ScriptedHttpServer> ModelAsync() => ScriptedHttpServer.StartAsync(async context =>
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = JsonNode.Parse(await reader.ReadToEndAsync());
        if (body?["stream"]?.GetValue<bool>() == true)
        {
            await TestSupport.WriteCompletionStreamAsync(context, 11, Answer);
            return;
        }
        await TestSupport.WriteCompletionAsync(context, Summary, 40, 7);
    });

    /// <summary>Every message's text the model was sent, one a line.</summary>
    private static string Prompt(RecordedRequest request) =>
        string.Join("\n", JsonNode.Parse(request.Body)!["messages"]!.AsArray().Select(m => m!["content"] switch
        {
            JsonArray parts => string.Join("\n", parts.Select(p => (string?)p?["text"])),
            var content => (string?)content,
        }));

    private static string Unbase64(string text)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + (4 - text.Length % 4) % 4, '=')));
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
