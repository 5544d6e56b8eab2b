using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cli.Tests;

/// <summary>
/// An answer the platform cuts at its token cap, here an API key's tokens-per-minute budget with room for the prompt
/// and a few answer tokens: the command prints what was said and warns on standard error that it is not all.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class CutAnswerTests(Platform platform) : IDisposable
{
    private const string Question = "How many vacation days does a full-time employee receive per year?";
    private const string LastWords = "lapse without compensation";

    // One long sentence the offline model quotes whole, far longer than the few tokens the tight key leaves it.
    private const string Policy = "Every full-time employee receives twenty-five paid vacation days per year, which can be taken "
        + "in blocks of at least half a day, are requested through the people portal at least two weeks ahead, are approved by "
        + "the team lead, and carry over until the end of March of the following year, after which they " + LastWords + ".";

    /// <summary>Answer tokens the tight key leaves past the prompt, less the few the budget adds per message.</summary>
    private const int AnswerRoom = 30;

    private readonly Chatbot _chatbot = new(platform);

    [Fact]
    public async Task AnAnswerCutAtTheKeysTokenBudgetIsPrintedWithAWarningThatItIsIncomplete()
    {
        await _chatbot.UseAccountOfAsync(typeof(CutAnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Verbose", "--file", _chatbot.File("policy.txt", Policy));
        var roomy = await CreateKeyAsync("roomy");
        var prompt = await PromptTokensAsync(roomy, id);
        var tight = await CreateKeyAsync("tight", "--tpm", (prompt + AnswerRoom).ToString(CultureInfo.InvariantCulture));

        _chatbot["CHATBOT_API_KEY"] = roomy;
        var whole = await _chatbot.RunAsync("ask", id, Question);
        _chatbot["CHATBOT_API_KEY"] = tight;
        var cut = await _chatbot.RunAsync("ask", id, Question);

        Assert.True(whole.ExitCode == ExitCodes.Ok, whole.ToString());
        Assert.Contains(LastWords, whole.Output, StringComparison.Ordinal);
        Assert.Equal("", whole.Error);
        // Still a success: the answer came, shorter; the warning says so where a pipe does not read it.
        Assert.True(cut.ExitCode == ExitCodes.Ok, cut.ToString());
        Assert.StartsWith("From my documents:", cut.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(LastWords, cut.Output, StringComparison.Ordinal);
        Assert.StartsWith(cut.Output.TrimEnd(), whole.Output, StringComparison.Ordinal);
        Assert.Equal("warning: the answer is incomplete: it was cut short at its token limit (max_completion_tokens).\n", cut.Error);
    }

    [Fact]
    public async Task AKeyWhoseBudgetCannotHoldTheRequestIsRateLimitedInOneSentence()
    {
        await _chatbot.UseAccountOfAsync(typeof(CutAnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Frugal", "--file", _chatbot.File("policy.txt", Policy));
        _chatbot["CHATBOT_API_KEY"] = await CreateKeyAsync("tiny", "--tpm", "5");

        var ask = await _chatbot.RunAsync("ask", id, Question);

        Assert.True(ask.ExitCode == ExitCodes.RateLimited, ask.ToString());
        Assert.Contains("budget of 5 per minute.", ask.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("..", ask.Error, StringComparison.Ordinal);
    }

    private async Task<string> CreateKeyAsync(string name, params string[] extra)
    {
        var created = await _chatbot.RunAsync(["keys", "create", "--name", name, .. extra]);
        Assert.True(created.ExitCode == ExitCodes.Ok, created.ToString());
        return created.Output.Trim();
    }

    /// <summary>The prompt a run of the question sends the model, as the run's usage reports it at the end of its stream.</summary>
    private async Task<int> PromptTokensAsync(string key, string assistantId)
    {
        using var client = _chatbot.Platform.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.PostAsJsonAsync("/v1/threads/runs", new
        {
            assistant_id = assistantId,
            stream = true,
            thread = new { messages = new[] { new { role = "user", content = Question } } },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var usage = body.Split('\n').Single(line => line.StartsWith(": usage ", StringComparison.Ordinal))[": usage ".Length..];
        return JsonDocument.Parse(usage).RootElement.GetProperty("prompt_tokens").GetInt32();
    }

    public void Dispose() => _chatbot.Dispose();
}
