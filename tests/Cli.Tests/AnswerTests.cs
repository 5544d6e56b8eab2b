using System.Text.RegularExpressions;

namespace Cli.Tests;

[Collection(PlatformCollection.Name)]
public sealed partial class AnswerTests(Platform platform) : IDisposable
{
    private readonly Chatbot _chatbot = new(platform);

    [Fact]
    public async Task RunOnAFileWithAnInstructionWritesTheAnswerToTheOutputFileAndNothingToStdout()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        await _chatbot.CreateAssistantAsync("HR", "--file", _chatbot.File("handbook.txt", Handbook.Text));
        var question = _chatbot.File("question.txt", "How many vacation days do employees get per year?");
        var answer = Path.Combine(_chatbot.Home, "answer.md");

        var run = await _chatbot.RunAsync("run", "HR", "--file", question, "--text", "Answer the question in the file.", "--output", answer);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Output);
        Assert.Contains("25 vacation days", File.ReadAllText(answer), StringComparison.Ordinal);
        Assert.Contains($"Wrote the answer to {answer}", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunReadsAPipeAndWritesOnlyTheAnswerToStdout()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Expenses", "--file", _chatbot.File("handbook.txt", Handbook.Text));

        var run = await _chatbot.RunWithInputAsync("When are travel expenses reimbursed?\n", "run", id);
        var dash = await _chatbot.RunWithInputAsync("When are travel expenses reimbursed?\n", "run", id, "--file", "-", "--output", "-");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("14 days", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
        Assert.DoesNotContain("asst_", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("thread_", run.Output, StringComparison.Ordinal);
        Assert.Equal(run.Output, dash.Output);
    }

    [Fact]
    public async Task RunLeavesAnExistingOutputFileAloneUnlessForced()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Careful", "--file", _chatbot.File("handbook.txt", Handbook.Text));
        var target = _chatbot.File("kept.md", "My own notes.");

        var refused = await _chatbot.RunAsync("run", id, "--text", "When are travel expenses reimbursed?", "--output", target);
        var kept = File.ReadAllText(target);
        var forced = await _chatbot.RunAsync("run", id, "--text", "When are travel expenses reimbursed?", "--output", target, "--force");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains($"{target} already exists; pass --force to overwrite it.", refused.Error, StringComparison.Ordinal);
        Assert.Equal("My own notes.", kept);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("14 days", File.ReadAllText(target), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInputTooLargeForTheGatewayIsSaidToBeTooLargeNotUnreachable()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Big");
        var large = _chatbot.File("large.txt", new string('x', 25 * 1024 * 1024));

        var run = await _chatbot.RunAsync("run", id, "--file", large, "--text", "Summarise.");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains("larger than", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot reach", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskWithAnAssistantIdTakesOneRequestOfTheKeysRate()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Thrifty", "--file", _chatbot.File("handbook.txt", Handbook.Text));
        var key = await _chatbot.RunAsync("keys", "create", "--name", "one a minute", "--rpm", "1");
        Assert.True(key.ExitCode == 0, key.ToString());

        _chatbot["CHATBOT_API_KEY"] = key.Output.Trim();
        var ask = await _chatbot.RunAsync("ask", id, "When are travel expenses reimbursed?");

        Assert.True(ask.ExitCode == 0, ask.ToString());
        Assert.Contains("14 days", ask.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatEndedWithCtrlCStillSaysHowToResumeItsThread()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Patient");
        using var keyboard = new IdleKeyboard();
        using var ctrlC = new CancellationTokenSource();

        var chat = _chatbot.RunWithInputAsync(keyboard, ctrlC.Token, "chat", id);
        await keyboard.Waited.WaitAsync(TimeSpan.FromSeconds(30));
        await ctrlC.CancelAsync();
        var outcome = await chat.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(outcome.ExitCode == 130, outcome.ToString());
        Assert.Matches($@"Resume with: chatbot chat {id} --thread thread_\w+", outcome.Error);
    }

    [Fact]
    public async Task RunWithNothingToRunIsAUsageError()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Idle");

        var run = await _chatbot.RunAsync("run", id);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Nothing to run", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAnswersOneQuestionOnStdout()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        await _chatbot.CreateAssistantAsync("Helper", "--file", _chatbot.File("handbook.txt", Handbook.Text));

        var ask = await _chatbot.RunAsync("ask", "Helper", "How many vacation days do employees get per year?");

        Assert.True(ask.ExitCode == 0, ask.ToString());
        Assert.Contains("25 vacation days", ask.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatKeepsOneThreadListsFilesStartsANewThreadAndStopsAtExit()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        var id = await _chatbot.CreateAssistantAsync("Chatty", "--file", _chatbot.File("handbook.txt", Handbook.Text));

        var chat = await _chatbot.RunWithInputAsync("""
            How many vacation days do employees get per year?
            /files
            /thread
            /new
            When are travel expenses reimbursed?
            /thread
            /exit
            This line is never asked.
            """, "chat", "Chatty");
        var threads = ThreadId().Matches(chat.Output).Select(m => m.Value).ToList();
        var resumed = await _chatbot.RunWithInputAsync("/thread\n", "chat", id, "--thread", threads[0]);

        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains("25 vacation days", chat.Output, StringComparison.Ordinal);
        Assert.Contains("14 days", chat.Output, StringComparison.Ordinal);
        Assert.Matches(@"handbook\.txt\s+rag", chat.Output);
        Assert.Equal(2, threads.Distinct().Count());
        Assert.Contains($"Resume with: chatbot chat {id} --thread {threads[1]}", chat.Error, StringComparison.Ordinal);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"Resuming {threads[0]} (2 earlier messages)", resumed.Error, StringComparison.Ordinal);
        Assert.Equal(threads[0], resumed.Output.Trim());
    }

    [Fact]
    public async Task ChatAnswersInContextOfItsThreadAndEndsAtTheEndOfInput()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        await _chatbot.CreateAssistantAsync("Memory", "--file", _chatbot.File("handbook.txt", Handbook.Text));

        var chat = await _chatbot.RunWithInputAsync("How many vacation days do employees get per year?\nAnd when are travel expenses reimbursed?\n", "chat", "Memory");
        var thread = ThreadId().Match(chat.Error).Value;
        var resumed = await _chatbot.RunWithInputAsync("", "chat", "Memory", "--thread", thread);

        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains("25 vacation days", chat.Output, StringComparison.Ordinal);
        Assert.Contains("14 days", chat.Output, StringComparison.Ordinal);
        Assert.Contains($"Resuming {thread} (4 earlier messages)", resumed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatWithAnUnknownThreadIsSaidInWords()
    {
        await _chatbot.UseAccountOfAsync(typeof(AnswerTests));
        await _chatbot.CreateAssistantAsync("Lost");

        var chat = await _chatbot.RunAsync("chat", "Lost", "--thread", "thread_doesnotexist");

        Assert.Equal(ExitCodes.NotFound, chat.ExitCode);
        Assert.Contains("thread_doesnotexist", chat.Error, StringComparison.Ordinal);
        Assert.Equal("", chat.Output);
    }

    [GeneratedRegex(@"thread_[A-Za-z0-9]+")]
    private static partial Regex ThreadId();

    /// <summary>A keyboard nobody types on; like the console's reader, it does not stop waiting when the token is cancelled.</summary>
    private sealed class IdleKeyboard : TextReader
    {
        private readonly TaskCompletionSource _waited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Waited => _waited.Task;

        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            _waited.TrySetResult();
            return new ValueTask<string?>(new TaskCompletionSource<string?>().Task);
        }
    }

    public void Dispose() => _chatbot.Dispose();
}
