using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Budgets;

/// <summary>
/// The model's far end failing (cut off, silent, stalled, garbage, error statuses), seen through the gateway in every
/// family's own stream format, with the partial answer kept and the key's budget charged for what was really spent.
/// </summary>
[Collection(ModelPlatform.Collection)]
public sealed class ModelFaultTests(ModelPlatform platform)
{
    private static string Question(string script) => $"Please answer {script} ({Guid.NewGuid():N})";

    private int PromptOf(string question) => ScriptedModel.PromptTokens(Assert.Single(platform.ModelRequests(question)));

    [Fact]
    public async Task AChatCompletionStreamCutOffAfterTwoWordsKeepsThemEndsWithAnOpenAIErrorEventAndChargesOnlyThem()
    {
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm: 100_000);
        var question = Question(ScriptedModel.Drop);

        var answer = await Answer.PostAsync(platform.First.Client, "/v1/chat/completions", secret,
            new { model = "scripted-model", stream = true, messages = new[] { new { role = "user", content = question } } });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("Hello world", answer.DeltaText);
        var error = JsonDocument.Parse(answer.Events[^1].Data).RootElement.GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Equal("upstream_error", error.GetProperty("code").GetString());
        Assert.DoesNotContain(answer.Events, e => e.Data == "[DONE]");
        Assert.DoesNotContain(answer.Events, e => e.Data.Contains("\"finish_reason\":\"stop\"", StringComparison.Ordinal));
        Assert.Equal(PromptOf(question) + 2, await platform.SpentAsync(keyId));
    }

    [Fact]
    public async Task ASilentModelIsAnswered504AndAStalledStreamEndsWithATimeoutErrorEvent()
    {
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm: 100_000);
        var silent = Question(ScriptedModel.Silent);
        var stalled = Question(ScriptedModel.Stall);

        var nothing = await Answer.PostAsync(platform.First.Client, "/v1/chat/completions", secret,
            new { model = "scripted-model", stream = true, messages = new[] { new { role = "user", content = silent } } });
        Assert.Equal(HttpStatusCode.GatewayTimeout, nothing.Status);
        Assert.Equal("upstream_timeout", nothing.Json.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, await platform.SpentAsync(keyId));

        var oneWord = await Answer.PostAsync(platform.First.Client, "/v1/chat/completions", secret,
            new { model = "scripted-model", stream = true, messages = new[] { new { role = "user", content = stalled } } });
        Assert.Equal(HttpStatusCode.OK, oneWord.Status);
        Assert.Equal("Hello", oneWord.DeltaText);
        Assert.Equal("upstream_timeout", JsonDocument.Parse(oneWord.Events[^1].Data).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(PromptOf(stalled) + 1, await platform.SpentAsync(keyId));
    }

    [Theory]
    [InlineData(ScriptedModel.NotJson, HttpStatusCode.BadGateway, "upstream_error")]
    [InlineData(ScriptedModel.WrongShape, HttpStatusCode.BadGateway, "upstream_error")]
    [InlineData(ScriptedModel.Fails, HttpStatusCode.BadGateway, "upstream_error")]
    [InlineData(ScriptedModel.Busy, HttpStatusCode.TooManyRequests, "rate_limit_exceeded")]
    public async Task GarbageOrAnErrorStatusFromTheModelIsAnsweredInOpenAIsShapeAndChargesNothing(string script, HttpStatusCode status, string code)
    {
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm: 100_000);

        var answer = await Answer.PostAsync(platform.First.Client, "/v1/chat/completions", secret,
            new { model = "scripted-model", stream = true, messages = new[] { new { role = "user", content = Question(script) } } });

        Assert.Equal(status, answer.Status);
        Assert.Equal(code, answer.Json.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("   at ", answer.Body, StringComparison.Ordinal);
        // A 429 is the model's limit, not the gateway's request limit: no header says requests remain.
        Assert.Equal(status == HttpStatusCode.TooManyRequests, answer.RateLimitRemaining is null);
        Assert.Equal(0, await platform.SpentAsync(keyId));
    }

    [Fact]
    public async Task AStreamedRunCutOffKeepsTheWordsSentInAnIncompleteMessageAndFailsWithLastError()
    {
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm: 100_000);
        var assistant = await ModelPlatform.CreateAssistantAsync(platform.First.Client, secret);
        var question = Question(ScriptedModel.Drop);

        var answer = await Answer.PostAsync(platform.First.Client, "/v1/threads/runs", secret, new
        {
            assistant_id = assistant,
            stream = true,
            thread = new { messages = new[] { new { role = "user", content = question } } },
        });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var incomplete = answer.Last("thread.message.incomplete");
        Assert.Equal("incomplete", incomplete.GetProperty("status").GetString());
        Assert.Equal("Hello world", incomplete.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
        var failed = answer.Last("thread.run.failed");
        Assert.Equal("server_error", failed.GetProperty("last_error").GetProperty("code").GetString());
        Assert.Equal(2, failed.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var threadId = failed.GetProperty("thread_id").GetString();
        using var list = await platform.First.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, $"/v1/threads/{threadId}/messages", secret));
        var stored = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("data")
            .EnumerateArray().Single(m => m.GetProperty("role").GetString() == "assistant");
        Assert.Equal("incomplete", stored.GetProperty("status").GetString());
        Assert.Equal("Hello world", stored.GetProperty("content")[0].GetProperty("text").GetProperty("value").GetString());
        Assert.Equal(PromptOf(question) + 2, await platform.SpentAsync(keyId));
    }

    [Fact]
    public async Task APolledRunWhoseModelStallsEndsFailedWithTheFirstWordKept()
    {
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm: 100_000);
        var assistant = await ModelPlatform.CreateAssistantAsync(platform.First.Client, secret);
        var question = Question(ScriptedModel.Stall);

        var created = await Answer.PostAsync(platform.First.Client, "/v1/threads/runs", secret,
            new { assistant_id = assistant, thread = new { messages = new[] { new { role = "user", content = question } } } });
        var run = created.Json;
        var path = $"/v1/threads/{run.GetProperty("thread_id").GetString()}/runs/{run.GetProperty("id").GetString()}";
        JsonElement state = default;
        await Wait.UntilAsync(async () =>
        {
            using var response = await platform.First.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, path, secret));
            state = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return state.GetProperty("status").GetString() is not ("queued" or "in_progress");
        }, TimeSpan.FromSeconds(30), "the polled run to end");

        Assert.Equal("failed", state.GetProperty("status").GetString());
        Assert.Contains("in time", state.GetProperty("last_error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(PromptOf(question) + 1, await platform.SpentAsync(keyId));
    }

    [Theory]
    [InlineData(ScriptedModel.Fails, HttpStatusCode.BadGateway)]
    [InlineData(ScriptedModel.Silent, HttpStatusCode.GatewayTimeout)]
    public async Task AChannelChatWhoseModelFailsIsAnsweredWithProblemDetails(string script, HttpStatusCode status)
    {
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm: 100_000);
        var assistant = await ModelPlatform.CreateAssistantAsync(platform.First.Client, secret);

        var answer = await Answer.PostAsync(platform.First.Client, "/api/chats/messages", secret, new
        {
            assistant_id = assistant,
            channel = new { id = "+15550100", service = "whatsapp" },
            username = "ana",
            message = Question(script),
        });

        Assert.Equal(status, answer.Status);
        Assert.Equal((int)status, answer.Json.GetProperty("status").GetInt32());
        Assert.Equal(0, await platform.SpentAsync(keyId));
    }

    [Fact]
    public async Task AVoiceAnswerWhoseModelIsCutOffEndsWithTheVoiceErrorEventAndAFailedTurn()
    {
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm: 100_000);
        var assistant = await ModelPlatform.CreateAssistantAsync(platform.First.Client, secret);
        var question = Question(ScriptedModel.Drop);

        var answer = await Answer.PostAsync(platform.First.Client, "/api/voice/speak", secret, new { prompt = question, assistant_id = assistant });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("error", answer.Events[^1].Name);
        Assert.DoesNotContain(answer.Events, e => e.Name == "done");
        using var turns = await platform.First.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/voice/turns", secret));
        var turn = JsonDocument.Parse(await turns.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0];
        Assert.Equal("failed", turn.GetProperty("status").GetString());
        Assert.Equal(PromptOf(question) + 2, await platform.SpentAsync(keyId));
    }
}
