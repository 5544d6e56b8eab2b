using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Responses;

namespace ChatService.Tests;

/// <summary>
/// A response's `truncation` as OpenAI defines it, over a context of 300 tokens (`Chat:ContextTokens`): "auto" drops
/// the oldest items that do not fit, "disabled" (the default) refuses an input that does not fit.
/// </summary>
public sealed class ResponsesTruncationTests
{
    /// <summary>Six user turns of about 100 tokens each (" word" is one o200k token): the context holds two.</summary>
    private static readonly string[] LongTurns = [.. Enumerable.Range(0, 6).Select(i => $"turn{i}" + string.Concat(Enumerable.Repeat(" word", 98)))];

    private static readonly object[] FiveLongTurns = [.. LongTurns.Take(5).Select(t => new { role = "user", content = t })];

    private static ServiceFactory<Program> SmallContext(ScriptedHttpServer model) =>
        TestSupport.Service().WithModel(model).With("Chat:ContextTokens", "300");

    private static Task<ScriptedHttpServer> ModelAsync() =>
        ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "ok"));

    [Fact]
    public async Task WithTruncationAutoTheOldestItemsAreDroppedAndTheResponseSaysSo()
    {
        await using var model = await ModelAsync();
        await using var service = SmallContext(model);
        using var http = service.Client("usr_trunc_auto");

        var created = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = FiveLongTurns, truncation = "auto" })).JsonAsync();
        var retrieved = await (await http.GetAsync($"/v1/responses/{created.GetProperty("id").GetString()}")).JsonAsync();

        var prompt = JsonNode.Parse(model.Requests.Single().Body)!["messages"]!.ToJsonString();
        Assert.Contains("turn4", prompt);
        Assert.Contains("turn3", prompt);
        Assert.DoesNotContain("turn2", prompt);
        Assert.DoesNotContain("turn0", prompt);
        Assert.Equal("auto", created.GetProperty("truncation").GetString());
        Assert.Equal("auto", retrieved.GetProperty("truncation").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("disabled")]
    public async Task WithoutTruncationAnInputLargerThanTheContextIsA400AndNothingIsAskedOrStored(string? truncation)
    {
        await using var model = await ModelAsync();
        await using var service = SmallContext(model);
        using var http = service.Client("usr_trunc_disabled");
        var body = new JsonObject { ["model"] = "gpt-4o-mini", ["input"] = JsonSerializer.SerializeToNode(FiveLongTurns), ["stream"] = true };
        if (truncation is not null)
        {
            body["truncation"] = truncation;
        }

        using var refused = await http.PostAsJsonAsync("/v1/responses", body);
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        using var fits = await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = FiveLongTurns.TakeLast(2) });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("input", error.GetProperty("param").GetString());
        Assert.Contains("truncation", error.GetProperty("message").GetString());
        Assert.Equal("disabled", (await fits.JsonAsync()).GetProperty("truncation").GetString());
        Assert.Single(model.Requests);
        using var scope = service.Services.CreateScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<ChatService.Model.ChatDbContext>().Responses.CountAsync());
    }

    [Fact]
    public async Task AConversationThatOutgrowsTheContextGoesOnOnlyWithTruncationAuto()
    {
        await using var model = await ModelAsync();
        await using var service = SmallContext(model);
        var responses = service.Sdk("usr_trunc_chain").GetResponsesClient();

        ResponseResult previous = await responses.CreateResponseAsync(new CreateResponseOptions("gpt-4o-mini",
            [ResponseItem.CreateUserMessageItem(LongTurns[3]), ResponseItem.CreateUserMessageItem(LongTurns[4])]));
        var refused = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            responses.CreateResponseAsync("gpt-4o-mini", LongTurns[5], previous.Id));
        ResponseResult truncated = await responses.CreateResponseAsync(new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem(LongTurns[5])])
        {
            PreviousResponseId = previous.Id,
            TruncationMode = ResponseTruncationMode.Auto,
        });

        Assert.Equal(ResponseTruncationMode.Disabled, previous.TruncationMode);
        Assert.Equal(400, refused.Status);
        Assert.Equal(ResponseTruncationMode.Auto, truncated.TruncationMode);
        Assert.Equal(ResponseStatus.Completed, truncated.Status);
    }

    [Fact]
    public async Task ACountIsOfWhatWouldBeSentTrimmedWithTruncationAutoAndWholeWithout()
    {
        await using var model = await ModelAsync();
        await using var service = SmallContext(model);
        using var http = service.Client("usr_trunc_count");

        var whole = await (await http.PostAsJsonAsync("/v1/responses/input_tokens", new { model = "gpt-4o-mini", input = FiveLongTurns })).JsonAsync();
        var trimmed = await (await http.PostAsJsonAsync("/v1/responses/input_tokens", new { model = "gpt-4o-mini", input = FiveLongTurns, truncation = "auto" })).JsonAsync();
        var sent = await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = FiveLongTurns, truncation = "auto" })).JsonAsync();

        Assert.True(whole.GetProperty("input_tokens").GetInt32() > 300);
        Assert.True(trimmed.GetProperty("input_tokens").GetInt32() <= 300);
        // The scripted model reports 9 prompt tokens: a model's own count is the usage; the estimate is compared to the prompt sent.
        Assert.Equal(9, sent.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var prompt = JsonNode.Parse(model.Requests.Single().Body)!["messages"]!.AsArray();
        Assert.Equal(trimmed.GetProperty("input_tokens").GetInt32(),
            prompt.Sum(m => ServiceDefaults.Tokens.TokenCounter.Count((string?)m!["content"])));
    }

    [Fact]
    public async Task AResponseStoredBeforeTruncationWasKeptSaysAutoWhichIsWhatWasDoneForIt()
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_trunc_old");
        var id = (await (await http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "hi" })).JsonAsync()).GetProperty("id").GetString();
        using (var scope = service.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChatService.Model.ChatDbContext>();
            await db.Responses.Where(r => r.Id == id).ExecuteUpdateAsync(u => u.SetProperty(r => r.Truncation, (string?)null));
        }

        var retrieved = await (await http.GetAsync($"/v1/responses/{id}")).JsonAsync();

        Assert.Equal("auto", retrieved.GetProperty("truncation").GetString());
    }

    [Theory]
    [InlineData("\"sometimes\"")]
    [InlineData("\"Auto\"")]
    [InlineData("5")]
    [InlineData("{\"type\":\"auto\"}")]
    public async Task ATruncationOtherThanAutoOrDisabledIsRefusedByName(string truncation)
    {
        await using var service = TestSupport.Service();
        using var http = service.Client("usr_trunc_invalid");

        using var refused = await http.PostAsync("/v1/responses", new StringContent(
            $$"""{"model":"gpt-4o-mini","input":"hi","truncation":{{truncation}}}""", System.Text.Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_value", error.GetProperty("code").GetString());
        Assert.Equal("truncation", error.GetProperty("param").GetString());
        Assert.Contains("'auto' and 'disabled'", error.GetProperty("message").GetString());
    }
}
