using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceService.Tests;

public sealed class BadAudioTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> RespondAsync(VoiceHost host, MultipartFormDataContent form)
    {
        using var client = host.CreateClient();
        using var response = await client.PostAsync(new Uri("/api/voice/respond", UriKind.Relative), form);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task AFormatOpenAIDoesNotTakeEitherIsUnsupportedMediaTypeAndTheAnswerNamesTheAcceptedOnes()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        var aac = await TestAudio.SpeakAsync("Can I work from home on Fridays?", "aac");

        var (status, body) = await RespondAsync(host, VoiceHost.Form(aac, "q.aac", "audio/aac", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("unsupported_media_type", body.GetProperty("code").GetString());
        Assert.Contains("flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(host.Chat.Requests);
    }

    [Fact]
    public async Task TextPretendingToBeWavIsABadRequest()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);

        var (status, body) = await RespondAsync(host,
            VoiceHost.Form("this is not audio at all"u8.ToArray(), "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_audio", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ATruncatedRecordingThatFfmpegCannotDecodeIsABadRequest()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        var mp3 = await TestAudio.SpeakAsync("Can I work from home on Fridays?", "mp3");
        var broken = mp3[..3].Concat(new byte[2000]).ToArray(); // "ID3" and then nothing an mp3 decoder can use.

        var (status, _) = await RespondAsync(host, VoiceHost.Form(broken, "q.mp3", "audio/mpeg", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task AnEmptyFileIsABadRequest()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);

        var (status, body) = await RespondAsync(host, VoiceHost.Form([], "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("empty_audio", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ARecordingLongerThanTheLimitIsRefusedBeforeRecognition()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero, configure: f => f.With("Voice:MaxAudioSeconds", "2"));
        var long5 = await TestAudio.SilenceAsync(5);

        var (status, body) = await RespondAsync(host, VoiceHost.Form(long5, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("audio_too_long", body.GetProperty("code").GetString());
        Assert.Empty(host.Chat.Requests);
    }

    [Fact]
    public async Task AnUploadLargerThanTheLimitIsRefused()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero, configure: f => f.With("Voice:MaxUploadBytes", "20000"));
        var big = await TestAudio.SilenceAsync(3); // ~96 kB

        var (status, _) = await RespondAsync(host, VoiceHost.Form(big, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Theory]
    [InlineData("/api/voice/respond")]
    [InlineData("/v1/audio/transcriptions")]
    public async Task AnUploadWhoseLengthAloneIsOverTheLimitIsRefusedAs413OnARealServer(string route)
    {
        // Kestrel (unlike the in-memory test server) refuses a body by its Content-Length alone: that must still be
        // a 413 naming the limit, not a "malformed multipart" 400.
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero, configure: f => f.With("Voice:MaxUploadBytes", "20000"));
        var address = host.Factory.StartOnKestrel();
        using var client = new HttpClient { BaseAddress = address }.ActAs("usr_alice");
        using var form = VoiceHost.Form(new byte[300_000], "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId), ("model", "whisper-1"));

        using var response = await client.PostAsync(new Uri(route, UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var error = body.TryGetProperty("error", out var openAi) ? openAi : body;
        Assert.Equal("upload_too_large", error.GetProperty("code").GetString());
        Assert.Empty(host.Chat.Requests);
    }

    [Fact]
    public async Task SilenceRecognisesNothingAndIsUnprocessable()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        var silence = await TestAudio.SilenceAsync(2);

        var (status, body) = await RespondAsync(host, VoiceHost.Form(silence, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("no_speech", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AMissingAssistantIdIsABadRequestAndAJsonBodyIsUnsupported()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        var wav = await TestAudio.SpeakAsync("Hello.");
        using var client = host.CreateClient();

        var (missing, _) = await RespondAsync(host, VoiceHost.Form(wav, "q.wav", "audio/wav"));
        using var json = await client.PostAsJsonAsync(new Uri("/api/voice/respond", UriKind.Relative), new { assistant_id = VoiceHost.AssistantId });

        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
    }

    [Fact]
    public async Task ACallerTheGatewayDidNotVouchForIsUnauthorized()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var anonymous = host.Factory.CreateClient();

        using var respond = await anonymous.PostAsync(new Uri("/api/voice/respond", UriKind.Relative),
            VoiceHost.Form([1, 2, 3], "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)));
        using var turns = await anonymous.GetAsync(new Uri("/api/voice/turns", UriKind.Relative));
        using var speech = await anonymous.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative), new { model = "tts-1", input = "hi", voice = "alloy" });

        Assert.Equal(HttpStatusCode.Unauthorized, respond.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, turns.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, speech.StatusCode);
    }
}
