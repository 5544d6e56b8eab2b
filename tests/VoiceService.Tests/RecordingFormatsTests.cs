using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Audio;

namespace VoiceService.Tests;

/// <summary>Transcription takes what OpenAI's does: flac (which our own speech endpoint makes), m4a and mp4 too.</summary>
public sealed class RecordingFormatsTests
{
    private const string Question = "Where can I find the travel expenses form?";
    private const string Heard = "where can i find the travel expenses form";

    private static AudioClient SdkClient(HttpClient http, string model) =>
        new(model, new ApiKeyCredential("unused-behind-the-gateway"), new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(http),
        });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> TranscribeAsync(byte[] audio, string fileName, string contentType)
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        using var response = await http.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(audio, fileName, contentType, ("model", "whisper-1"), ("prompt", Question)));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static void AssertHeardTheQuestion((HttpStatusCode Status, JsonElement Body) answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body.ToString());
        Assert.Equal(Heard, answer.Body.GetProperty("text").GetString());
    }

    [Fact]
    public async Task TheFlacOurOwnSpeechEndpointMakesIsTranscribedAsItsWavIs()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var speech = SdkClient(http, "tts-1");
        var transcriber = SdkClient(http, "whisper-1");
        var options = new AudioTranscriptionOptions { Prompt = Question };

        var flac = (await speech.GenerateSpeechAsync(Question, GeneratedSpeechVoice.Alloy, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Flac })).Value;
        var wav = (await speech.GenerateSpeechAsync(Question, GeneratedSpeechVoice.Alloy, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav })).Value;
        var fromFlac = await transcriber.TranscribeAudioAsync(flac.ToStream(), "speech.flac", options);
        var fromWav = await transcriber.TranscribeAudioAsync(wav.ToStream(), "speech.wav", options);

        Assert.Equal("fLaC"u8.ToArray(), flac.ToArray()[..4]);
        Assert.Equal(Heard, fromWav.Value.Text);
        Assert.Equal(fromWav.Value.Text, fromFlac.Value.Text);
    }

    [Theory]
    [InlineData("question.m4a", "audio/mp4")]
    [InlineData("question.m4a", "audio/x-m4a")]
    [InlineData("question.m4a", "application/octet-stream")]
    public async Task AnM4aIsTranscribed(string fileName, string contentType)
    {
        var m4a = await TestAudio.SpeakAsync(Question, "m4a");

        AssertHeardTheQuestion(await TranscribeAsync(m4a, fileName, contentType));
    }

    [Fact]
    public async Task ACamerasMp4VideoWithItsIndexAtTheEndIsTranscribedFromItsSound()
    {
        var video = await TestAudio.SpeakInVideoAsync(Question);

        AssertHeardTheQuestion(await TranscribeAsync(video, "clip.mp4", "video/mp4"));
    }

    [Fact]
    public async Task AFlacWithAnId3TagInFrontIsStillFlac()
    {
        var flac = await TestAudio.SpeakAsync(Question, "flac");
        // An ID3v2.4 header whose (sync-safe) size says 20 bytes of tag follow, then the FLAC stream itself.
        byte[] tagged = [.. "ID3"u8, 4, 0, 0, 0, 0, 0, 20, .. new byte[20], .. flac];

        AssertHeardTheQuestion(await TranscribeAsync(tagged, "tagged.flac", "audio/flac"));
    }

    [Theory]
    [InlineData("q.flac", "audio/flac", "not audio at all")]
    [InlineData("q.flac", "audio/flac", "fLaC and then nothing a decoder can use")]
    [InlineData("q.m4a", "audio/mp4", "\0\0\0\u0018ftypM4A and then nothing a decoder can use")]
    public async Task JunkNamedFlacOrM4aIsABadRequestNamingTheFile(string fileName, string contentType, string junk)
    {
        var (status, body) = await TranscribeAsync(System.Text.Encoding.ASCII.GetBytes(junk), fileName, contentType);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_audio", error.GetProperty("code").GetString());
        Assert.Equal("file", error.GetProperty("param").GetString());
    }
}
