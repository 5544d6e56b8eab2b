using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI;
using OpenAI.Audio;

namespace VoiceService.Tests;

public sealed class OpenAIAudioTests
{
    private static AudioClient SdkClient(HttpClient http, string model) =>
        new(model, new ApiKeyCredential("unused-behind-the-gateway"), new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(http),
        });

    [Fact]
    public async Task TheOfficialSdkTranscribesWithAnAssistantsVocabulary()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var audio = SdkClient(http, VoiceHost.AssistantId);
        var wav = await TestAudio.SpeakAsync("What is the parental leave policy?");

        var result = await audio.TranscribeAudioAsync(new MemoryStream(wav), "question.wav");

        Assert.Equal("what is the parental leave policy", result.Value.Text);
    }

    [Fact]
    public async Task TheOfficialSdkTranscribesWithItsPromptAsVocabularyAndAsksForPlainText()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var audio = SdkClient(http, "whisper-1");
        var ogg = await TestAudio.SpeakAsync("Where can I find the travel expenses form?", "ogg");

        var result = await audio.TranscribeAudioAsync(new MemoryStream(ogg), "question.ogg", new AudioTranscriptionOptions
        {
            Prompt = "Where can I find the travel expenses form?",
            ResponseFormat = AudioTranscriptionFormat.Text,
        });

        Assert.Equal("where can i find the travel expenses form", result.Value.Text.Trim());
    }

    [Fact]
    public async Task TheOfficialSdkTranslatesEnglishSpeechAsItsTranscriptAndALanguageFieldIsRefused()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var audio = SdkClient(http, "whisper-1");
        var wav = await TestAudio.SpeakAsync("Where can I find the travel expenses form?");

        var translation = await audio.TranslateAudioAsync(new MemoryStream(wav), "question.wav", new AudioTranslationOptions
        {
            Prompt = "Where can I find the travel expenses form?",
            ResponseFormat = AudioTranslationFormat.Verbose,
        });
        using var withLanguage = await http.PostAsync(new Uri("/v1/audio/translations", UriKind.Relative),
            VoiceHost.Form(wav, "question.wav", "audio/wav", ("model", "whisper-1"), ("language", "fr")));

        Assert.Equal("where can i find the travel expenses form", translation.Value.Text);
        Assert.Equal("english", translation.Value.Language);
        Assert.Single(translation.Value.Segments);
        Assert.Equal(HttpStatusCode.BadRequest, withLanguage.StatusCode);
        var error = JsonDocument.Parse(await withLanguage.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("language", error.GetProperty("param").GetString());
        Assert.Equal("unknown_parameter", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TheOfficialSdkGeneratesSpeechInTheFormatAskedFor()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var audio = SdkClient(http, "tts-1");

        var mp3 = await audio.GenerateSpeechAsync("Your request has been approved.", GeneratedSpeechVoice.Nova);
        var wav = await audio.GenerateSpeechAsync("Your request has been approved.", GeneratedSpeechVoice.Onyx,
            new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav });

        var mp3Bytes = mp3.Value.ToArray();
        Assert.True(mp3Bytes[0] == 0xFF || mp3Bytes.AsSpan(0, 3).SequenceEqual("ID3"u8), "an mp3 stream");
        Assert.InRange(await TestAudio.DurationSecondsAsync(mp3Bytes), 1, 10);
        Assert.Equal("RIFF"u8.ToArray(), wav.Value.ToArray()[..4]);
        Assert.InRange(await TestAudio.DurationSecondsAsync(wav.Value.ToArray()), 1, 10);
    }

    [Fact]
    public async Task AVerboseTranscriptsSegmentsCarryEveryFieldOfOpenAIsSegment()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var wav = await TestAudio.SpeakAsync("Where can I find the travel expenses form?");

        using var response = await http.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative), VoiceHost.Form(wav, "question.wav", "audio/wav",
            ("model", "whisper-1"), ("response_format", "verbose_json"), ("prompt", "Where can I find the travel expenses form?")));
        var transcript = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        // The Python SDK's TranscriptionSegment declares all of these; a missing one is an AttributeError when read.
        var segment = Assert.Single(transcript.GetProperty("segments").EnumerateArray());
        Assert.Equal(JsonValueKind.Array, segment.GetProperty("tokens").ValueKind);
        foreach (var number in new[] { "id", "seek", "start", "end", "temperature", "avg_logprob", "compression_ratio", "no_speech_prob" })
        {
            Assert.Equal(JsonValueKind.Number, segment.GetProperty(number).ValueKind);
        }
        Assert.Equal(transcript.GetProperty("text").GetString(), segment.GetProperty("text").GetString());
        Assert.Equal(transcript.GetProperty("duration").GetDouble(), segment.GetProperty("end").GetDouble());
    }

    [Fact]
    public async Task BadSpeechRequestsGetOpenAIsErrorBody()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();

        using var empty = await http.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative), new { model = "tts-1", input = "", voice = "alloy" });
        using var format = await http.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative), new { model = "tts-1", input = "hi", voice = "alloy", response_format = "midi" });
        using var transcription = await http.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form("not audio"u8.ToArray(), "x.txt", "text/plain", ("model", "whisper-1")));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var error = JsonDocument.Parse(await empty.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("input", error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, format.StatusCode);
        Assert.Equal("response_format", JsonDocument.Parse(await format.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, transcription.StatusCode);
        Assert.Equal("unsupported_media_type", JsonDocument.Parse(await transcription.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(4.5)]
    [InlineData(100)]
    public async Task ASpeechSpeedOutsideOpenAIsRangeIsRefusedNamingTheParameter(double speed)
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();

        using var response = await http.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative), new { model = "tts-1", input = "hi", voice = "alloy", speed });
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("speed", error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("limit=-1")]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    public async Task AVoiceTurnListLimitOutOfRangeIsRefusedAsOnEveryOtherList(string query)
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();

        using var response = await http.GetAsync(new Uri("/api/voice/turns?" + query, UriKind.Relative));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_limit", problem.GetProperty("code").GetString());
        Assert.Equal("limit", problem.GetProperty("param").GetString());
        using var fine = await http.GetAsync(new Uri("/api/voice/turns?limit=100", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }
}
