using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Budgets;

/// <summary>
/// An API key's tokens per minute as a hard limit: reserved before every model call, the call capped to what is
/// left, settled after, in one budget that two gateways and two chat-service replicas share through Redis, and that
/// polled runs and voice answers draw on as streams do.
/// </summary>
[Collection(ModelPlatform.Collection)]
public sealed class TokenBudgetTests(ModelPlatform platform)
{
    private const int AnswerTokens = 20;

    [Fact]
    public async Task FiftyConcurrentStreamsThroughTwoGatewaysNeverSpendMoreThanABudgetThatCoversTwenty()
    {
        var question = $"Count for me {ScriptedModel.Count} ({Guid.NewGuid():N})";
        object Body() => new { model = "scripted-model", stream = true, max_tokens = AnswerTokens, messages = new[] { new { role = "user", content = question } } };
        // One stream on a key of its own shows what a stream of this question reserves: its prompt and its answer.
        var (_, _, probe) = await platform.UserWithKeyAsync(tpm: 100_000);
        Assert.Equal(HttpStatusCode.OK, (await Answer.PostAsync(platform.First.Client, "/v1/chat/completions", probe, Body())).Status);
        var perStream = ScriptedModel.PromptTokens(Assert.Single(platform.ModelRequests(question))) + AnswerTokens;
        var tpm = 20 * perStream;
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Answer.PostAsync(i % 2 == 0 ? platform.First.Client : platform.Second, "/v1/chat/completions", secret, Body())));

        var served = answers.Where(a => a.Status == HttpStatusCode.OK).ToList();
        Assert.Equal(20, served.Count);
        Assert.All(served, a => Assert.Equal(string.Concat(Enumerable.Repeat(" a", AnswerTokens)), a.DeltaText));
        var refused = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(30, refused.Count);
        Assert.All(refused, a => Assert.Equal("rate_limit_exceeded", a.Json.GetProperty("error").GetProperty("code").GetString()));
        // The gateway's request limit let all fifty through; its headers ride on the served answers, not on the refusals.
        Assert.All(served, a => Assert.NotNull(a.RateLimitRemaining));
        Assert.All(refused, a => Assert.Null(a.RateLimitRemaining));
        Assert.All(refused, a => Assert.NotNull(a.RetryAfter));
        // Half went through each gateway to its own chat-service: with a budget per replica up to 40 would pass.
        var calls = platform.ModelRequests(question).Skip(1).ToList();
        Assert.Equal(20, calls.Count);
        Assert.True(calls.Sum(c => ScriptedModel.PromptTokens(c) + ScriptedModel.MaxTokens(c)!.Value) <= tpm);
        Assert.Equal(tpm, await platform.SpentAsync(keyId));
    }

    [Fact]
    public async Task PolledRunsAndVoiceAnswersSpendTheSameBudgetTheLastCallIsCappedToWhatIsLeftAndThenAllAreRefused()
    {
        const int tpm = 3000;
        var (_, keyId, secret) = await platform.UserWithKeyAsync(tpm);
        var assistant = await ModelPlatform.CreateAssistantAsync(platform.First.Client, secret);
        var nonce = Guid.NewGuid().ToString("N");

        // A polled run: answered in the background, long after its request, and still charged to the key.
        var runQuestion = $"Count {ScriptedModel.Count} for the run ({nonce})";
        var run = await PolledRunAsync(secret, assistant, runQuestion, maxTokens: 30);
        // The scripted model counts up to the cap and stops there ("length"): the run ends incomplete, as OpenAI's does.
        Assert.True(run.GetProperty("status").GetString() == "incomplete", run.ToString());
        var runCost = ScriptedModel.PromptTokens(Assert.Single(platform.ModelRequests(runQuestion))) + 30;
        Assert.Equal(runCost, run.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(runCost, await platform.SpentAsync(keyId));

        // A voice answer: voice-service asks chat-service for the words, which charges the key the gateway named.
        var voiceQuestion = $"How are you? ({nonce})";
        var voice = await Answer.PostAsync(platform.First.Client, "/api/voice/speak", secret, new { prompt = voiceQuestion, assistant_id = assistant });
        Assert.Equal("done", voice.Events[^1].Name);
        var voiceCost = ScriptedModel.PromptTokens(Assert.Single(platform.ModelRequests(voiceQuestion))) + 3;
        Assert.Equal(runCost + voiceCost, await platform.SpentAsync(keyId));

        // A stream asking for far more than is left is sent to the model capped to exactly what is left.
        var lastQuestion = $"Count {ScriptedModel.Count} the rest ({nonce})";
        var last = await Answer.PostAsync(platform.First.Client, "/v1/chat/completions", secret, new
        {
            model = "scripted-model", stream = true, max_tokens = 100_000, messages = new[] { new { role = "user", content = lastQuestion } },
        });
        Assert.Equal(HttpStatusCode.OK, last.Status);
        var lastCall = Assert.Single(platform.ModelRequests(lastQuestion));
        Assert.Equal(tpm - runCost - voiceCost - ScriptedModel.PromptTokens(lastCall), ScriptedModel.MaxTokens(lastCall));
        Assert.Equal(tpm, await platform.SpentAsync(keyId));

        // Nothing is left: a stream, a polled run and a voice answer are all refused, and none reaches the model.
        var before = platform.Model.Requests.Count;
        var stream = await Answer.PostAsync(platform.First.Client, "/v1/chat/completions", secret, new
        {
            model = "scripted-model", stream = true, messages = new[] { new { role = "user", content = "One more?" } },
        });
        Assert.Equal(HttpStatusCode.TooManyRequests, stream.Status);
        var refusedRun = await PolledRunAsync(secret, assistant, $"One more run ({nonce})", maxTokens: 30);
        Assert.Equal("failed", refusedRun.GetProperty("status").GetString());
        Assert.Equal("rate_limit_exceeded", refusedRun.GetProperty("last_error").GetProperty("code").GetString());
        var refusedVoice = await Answer.PostAsync(platform.First.Client, "/api/voice/speak", secret, new { prompt = "One more?", assistant_id = assistant });
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedVoice.Status);
        // Told as a chat client is told: OpenAI's code, and when to come back.
        Assert.Equal("rate_limit_exceeded", refusedVoice.Json.GetProperty("code").GetString());
        Assert.InRange(refusedVoice.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(59));
        Assert.Equal(before, platform.Model.Requests.Count);
        Assert.Equal(tpm, await platform.SpentAsync(keyId));
    }

    private async Task<JsonElement> PolledRunAsync(string secret, string assistant, string question, int maxTokens)
    {
        var created = await Answer.PostAsync(platform.First.Client, "/v1/threads/runs", secret, new
        {
            assistant_id = assistant,
            max_completion_tokens = maxTokens,
            thread = new { messages = new[] { new { role = "user", content = question } } },
        });
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var path = $"/v1/threads/{created.Json.GetProperty("thread_id").GetString()}/runs/{created.Json.GetProperty("id").GetString()}";
        JsonElement state = default;
        await Wait.UntilAsync(async () =>
        {
            using var response = await platform.First.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, path, secret));
            state = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return state.GetProperty("status").GetString() is not ("queued" or "in_progress");
        }, TimeSpan.FromSeconds(30), "the polled run to end");
        return state;
    }
}
