using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>An API key's token budget with nothing configured: kept in chat-service's memory, the offline model capped by it.</summary>
public sealed class EmbeddedTokenBudgetTests
{
    [Fact]
    public async Task WithoutRedisOrAModelTheKeysBudgetIsKeptInMemoryEachAnswerIsCappedAndTheKeyIsRefusedOnceItIsSpent()
    {
        const int tpm = 120;
        await using var factory = TestSupport.Service();
        using var client = factory.CreateDefaultClient().ActAs("usr_budget", "key_budget", tpm: tpm);

        var statuses = new List<HttpStatusCode>();
        var spent = 0;
        HttpResponseMessage? refusal = null;
        for (var i = 0; i < 12; i++)
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = "gpt-4o-mini",
                stream = true,
                max_tokens = 8,
                stream_options = new { include_usage = true },
                messages = new[] { new { role = "user", content = "What does my handbook say about holidays?" } },
            });
            statuses.Add(response.StatusCode);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                refusal ??= response;
                continue;
            }
            var chunks = TestSupport.SseLines(await response.Content.ReadAsStringAsync())
                .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement).ToList();
            var usage = chunks[^1].GetProperty("usage");
            // The offline model's answer is longer than 8 tokens: it is cut there, as a model cuts at max_tokens.
            Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32());
            Assert.Contains(chunks, c => c.GetProperty("choices").EnumerateArray().Any(ch =>
                ch.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() == "length"));
            spent += usage.GetProperty("total_tokens").GetInt32();
            response.Dispose();
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.True(spent <= tpm, $"the answers spent {spent} of a budget of {tpm}");
        Assert.NotNull(refusal);
        // Below a minute, the longest OpenAI's SDKs wait as told (a spent budget frees room up to 61 s later).
        Assert.True(int.Parse(refusal.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 59);
        var error = (await refusal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        refusal.Dispose();
    }

    [Fact]
    public async Task ARefusalNamesTheSameWaitInItsWordsAsInItsRetryAfter()
    {
        // Spent at the very start of a bucket, room frees a whole minute later: longer than the header may say.
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using var factory = TestSupport.Service();
        await using var service = factory.OnClock(clock);
        using var client = service.CreateDefaultClient().ActAs("usr_wait", "key_wait", tpm: 40);
        var question = new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = "Holidays?" } } };

        var answered = 0;
        var refused = await client.PostAsJsonAsync("/v1/chat/completions", question);
        for (; refused.StatusCode == HttpStatusCode.OK && answered < 20; answered++)
        {
            refused.Dispose();
            refused = await client.PostAsJsonAsync("/v1/chat/completions", question);
        }

        Assert.InRange(answered, 1, 19);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var header = refused.Headers.RetryAfter!.ToString();
        Assert.Equal("59", header);
        var message = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString();
        Assert.EndsWith($"retry after {header} s.", message);
        refused.Dispose();
    }

    [Fact]
    public async Task AHistoryLongerThanTheKeysBudgetIsTrimmedToItAndAnsweredNotRefusedForEver()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.CreateDefaultClient().ActAs("usr_budget_history", "key_budget_history", tpm: 3000);
        // About 6,000 tokens of earlier turns (" word" is one token): more than the key may spend in a minute.
        var history = Enumerable.Range(0, 12).SelectMany(i => new[]
        {
            new { role = "user", content = $"turn{i}" + string.Concat(Enumerable.Repeat(" word", 500)) },
            new { role = "assistant", content = "Noted." },
        });

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            max_tokens = 50,
            messages = history.Append(new { role = "user", content = "What does my handbook say about holidays?" }).ToArray(),
        });
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), 1, 3000 - 50);
    }
}
