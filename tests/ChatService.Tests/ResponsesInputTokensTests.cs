using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI.Responses;

namespace ChatService.Tests;

/// <summary>POST /v1/responses/input_tokens: OpenAI's token count, of exactly the prompt a create would send.</summary>
public sealed class ResponsesInputTokensTests
{
    [Fact]
    public async Task TheSdksCountOfAFollowUpIsTheInputTokensItsCreateThenReports()
    {
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("handbook.md", "Staff get 25 days of paid holiday a year."));
        await using var service = TestSupport.Service().WithDocuments(documents);
        using var http = service.Client("usr_count");
        var responses = service.Sdk("usr_count").GetResponsesClient();
        var assistant = await http.CreateAssistantAsync("You answer from the staff handbook, briefly.");
        var first = await (await http.PostAsJsonAsync("/v1/responses", new { model = assistant, input = "How many days of holiday do I get?" })).JsonAsync();
        var followUp = new
        {
            model = assistant,
            input = new[] { new { role = "user", content = "And can I carry unused days into next year?" } },
            instructions = "Answer in one sentence.",
            previous_response_id = first.GetProperty("id").GetString(),
        };

        var counted = await responses.GetInputTokenCountAsync(BinaryContent.Create(BinaryData.FromObjectAsJson(followUp)), "application/json");
        var count = JsonDocument.Parse(counted.GetRawResponse().Content).RootElement;
        var created = await (await http.PostAsJsonAsync("/v1/responses", followUp)).JsonAsync();

        Assert.Equal("response.input_tokens", count.GetProperty("object").GetString());
        var alone = await (await http.PostAsJsonAsync("/v1/responses/input_tokens", new { model = assistant, input = followUp.input })).JsonAsync();
        Assert.True(count.GetProperty("input_tokens").GetInt32() > alone.GetProperty("input_tokens").GetInt32(),
            "the earlier turns and the request's instructions count too");
        Assert.Equal(created.GetProperty("usage").GetProperty("input_tokens").GetInt32(), count.GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task CountingAsksNoModelAndSpendsNoneOfTheKeysTokenBudget()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 5, "ok"));
        await using var service = TestSupport.Service().WithModel(model);
        using var http = service.CreateDefaultClient().ActAs("usr_count_budget", "key_count_budget", tpm: 100);
        var longQuestion = "Please summarise the travel policy" + string.Concat(Enumerable.Repeat(" in detail", 40));

        var counts = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var count = await (await http.PostAsJsonAsync("/v1/responses/input_tokens", new { model = "gpt-4o-mini", input = longQuestion })).JsonAsync();
            counts.Add(count.GetProperty("input_tokens").GetInt32());
        }
        Assert.Empty(model.Requests);
        using var answered = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Hello", max_output_tokens = 5 });

        Assert.True(counts.Sum() > 100, $"five counts of {counts[0]} tokens each are more than the key's 100 a minute");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task ACountIsCheckedAsACreateIsWithOpenAIsErrorBody()
    {
        await using var service = TestSupport.Service();
        using var owner = service.Client("usr_count_owner");
        var assistant = await owner.CreateAssistantAsync();
        var mine = (await (await owner.PostAsJsonAsync("/v1/responses", new { model = assistant, input = "mine" })).JsonAsync()).GetProperty("id").GetString();
        using var stranger = service.Client("usr_count_stranger");
        using var scoped = service.Client("usr_count_owner", [assistant]);

        var cases = new (HttpClient Client, object Body, HttpStatusCode Status, string? Param)[]
        {
            (stranger, new { model = "gpt-4o-mini", input = "x", previous_response_id = mine }, HttpStatusCode.NotFound, null),
            (stranger, new { model = assistant, input = "x" }, HttpStatusCode.NotFound, null),
            (scoped, new { model = "gpt-4o-mini", input = "x" }, HttpStatusCode.Forbidden, null),
            (owner, new { model = "gpt-4o-mini", input = "x", previous_response_id = mine, conversation = "conv_x" }, HttpStatusCode.BadRequest, "conversation"),
            (owner, new { model = "gpt-4o-mini", input = 7 }, HttpStatusCode.BadRequest, "input"),
            (owner, new { model = 7, input = "x" }, HttpStatusCode.BadRequest, null),
            (owner, new { model = "gpt-4o-mini", input = "x", truncation = "sometimes" }, HttpStatusCode.BadRequest, "truncation"),
            (owner, new { model = "gpt-4o-mini", input = "x", tools = new[] { new { type = "web_search" } } }, HttpStatusCode.BadRequest, "tools"),
        };
        foreach (var (client, body, status, param) in cases)
        {
            using var response = await client.PostAsJsonAsync("/v1/responses/input_tokens", body);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

            Assert.Equal(status, response.StatusCode);
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            if (param is not null)
            {
                Assert.Equal(param, error.GetProperty("param").GetString());
            }
        }
        using var allowed = await scoped.PostAsJsonAsync("/v1/responses/input_tokens", new { model = assistant, input = "x", previous_response_id = mine });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task AnEmptyCountIsZeroAndInstructionsAloneAreCounted()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_count_empty");

        var empty = await (await http.PostAsJsonAsync("/v1/responses/input_tokens", new { })).JsonAsync();
        using var instructions = await http.PostAsJsonAsync("/v1/responses/input_tokens", new { instructions = "Be brief." });

        Assert.Equal(0, empty.GetProperty("input_tokens").GetInt32());
        Assert.True((await instructions.JsonAsync()).GetProperty("input_tokens").GetInt32() > 0);
    }
}
