using System.Net;
using System.Text.Json;

namespace VoiceService.Tests;

/// <summary>
/// OpenAI's transcription fields the recognizers here cannot honour are refused by name, as OpenAI refuses values
/// outside its sets, rather than answered with a transcript that leaves them out.
/// </summary>
public sealed class TranscriptionFieldTests
{
    [Theory]
    [InlineData("stream", "true", "stream", "unsupported_parameter")]
    [InlineData("include[]", "logprobs", "include[0]", "unsupported_parameter")]
    [InlineData("include[]", "bogus", "include[0]", "invalid_value")]
    [InlineData("timestamp_granularities[]", "word", "timestamp_granularities[0]", "unsupported_parameter")]
    [InlineData("timestamp_granularities[]", "sentence", "timestamp_granularities[0]", "invalid_value")]
    [InlineData("language", "fr", "language", "unsupported_parameter")]
    public async Task AFieldTheRecognizerCannotHonourIsRefusedByName(string field, string value, string param, string code)
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var wav = await TestAudio.SpeakAsync("Hello.");

        using var response = await http.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(wav, "q.wav", "audio/wav", ("model", "whisper-1"), (field, value)));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task SegmentTimingsAndTheRecognizersOwnLanguageAreTaken()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var wav = await TestAudio.SpeakAsync("What is the parental leave policy?");

        using var response = await http.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(wav, "q.wav", "audio/wav", ("model", VoiceHost.AssistantId), ("language", "en"),
                ("timestamp_granularities[]", "segment"), ("response_format", "verbose_json")));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, body.GetProperty("segments").GetArrayLength());
    }
}
