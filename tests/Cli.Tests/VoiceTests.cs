namespace Cli.Tests;

[Collection(PlatformCollection.Name)]
public sealed class VoiceTests(Platform platform) : IDisposable
{
    private readonly Chatbot _chatbot = new(platform);

    [Fact]
    public async Task SpeakWritesAWaveFileThatTranscribeTurnsBackIntoText()
    {
        Binaries.Require("espeak-ng", "apt-get install -y espeak-ng");
        Binaries.Require("pocketsphinx_continuous", "apt-get install -y pocketsphinx pocketsphinx-en-us");
        await _chatbot.UseAccountOfAsync(typeof(VoiceTests));
        var audio = Path.Combine(_chatbot.Home, "hello.wav");

        var spoken = await _chatbot.RunWithInputAsync("How many vacation days do I have?", "speak", "--output", audio);
        var transcribed = await _chatbot.RunAsync("transcribe", audio);

        Assert.True(spoken.ExitCode == 0, spoken.ToString());
        var header = File.ReadAllBytes(audio)[..12];
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(header, 0, 4));
        Assert.Equal("WAVE", System.Text.Encoding.ASCII.GetString(header, 8, 4));
        Assert.True(transcribed.ExitCode == 0, transcribed.ToString());
        Assert.NotEqual("", transcribed.Output.Trim());
    }

    [Fact]
    public async Task SpeakLeavesAnExistingFileAloneUnlessForced()
    {
        await _chatbot.UseAccountOfAsync(typeof(VoiceTests));
        var audio = _chatbot.File("mine.wav", "not audio");

        var refused = await _chatbot.RunAsync("speak", "Hello there.", "--output", audio);

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains($"{audio} already exists; pass --force to overwrite it.", refused.Error, StringComparison.Ordinal);
        Assert.Equal("not audio", File.ReadAllText(audio));
    }

    [Fact]
    public async Task TranscribingAFileThatIsNotThereIsAUsageError()
    {
        await _chatbot.UseAccountOfAsync(typeof(VoiceTests));

        var transcribed = await _chatbot.RunAsync("transcribe", Path.Combine(_chatbot.Home, "missing.wav"));

        Assert.Equal(ExitCodes.Usage, transcribed.ExitCode);
        Assert.Contains("No file", transcribed.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _chatbot.Dispose();
}
