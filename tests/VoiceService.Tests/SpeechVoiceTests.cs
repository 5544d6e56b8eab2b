using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceService.Tests;

/// <summary>
/// A voice is one of OpenAI's names (each mapped onto a local voice) or it is refused as OpenAI refuses it: spoken in
/// the default voice instead, it would sound like the caller's choice.
/// </summary>
public sealed class SpeechVoiceTests
{
    private const string Supported = "'alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', and 'cedar'";

    private static Task<HttpResponseMessage> SpeechAsync(HttpClient http, string voice) =>
        http.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative),
            new { model = "tts-1", input = "Your request has been approved.", voice, response_format = "wav" });

    [Theory]
    [InlineData("bogus")]
    [InlineData("Joanna")]
    [InlineData("voice_1234")]
    public async Task AVoiceOpenAIDoesNotNameIsRefusedNamingTheVoicesThatAre(string voice)
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var http = host.CreateClient();

        using var response = await SpeechAsync(http, voice);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_value", error.GetProperty("code").GetString());
        Assert.Equal("voice", error.GetProperty("param").GetString());
        Assert.Equal($"Invalid value: '{voice}'. Supported values are: {Supported}.", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("marin")]
    [InlineData("cedar")]
    [InlineData("Alloy")]
    public async Task OpenAIsNewestVoicesAndAnyCasingOfANameAreSpoken(string voice)
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var http = host.CreateClient();

        using var response = await SpeechAsync(http, voice);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(await TestAudio.DurationSecondsAsync(await response.Content.ReadAsByteArrayAsync()), 1, 10);
    }

    [Fact]
    public async Task SpeedChangesHowLongTheSpeechLasts()
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var http = host.CreateClient();

        async Task<double> SecondsAtAsync(double speed)
        {
            using var response = await http.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative),
                new { model = "tts-1", input = "Trains are booked through the travel desk two weeks ahead.", voice = "alloy", response_format = "wav", speed });
            return await TestAudio.DurationSecondsAsync(await response.Content.ReadAsByteArrayAsync());
        }
        var usual = await SecondsAtAsync(1.0);
        var fast = await SecondsAtAsync(2.0);
        var slow = await SecondsAtAsync(0.5);

        Assert.InRange(fast / usual, 0.25, 0.8);
        Assert.InRange(slow / usual, 1.3, 3.0);
    }

    [Theory]
    [InlineData("""{"instructions":"Speak like a pirate."}""", "instructions", "unsupported_parameter")]
    [InlineData("""{"stream_format":"sse"}""", "stream_format", "unsupported_parameter")]
    [InlineData("""{"stream_format":"chunks"}""", "stream_format", "invalid_value")]
    public async Task WhatNoEngineHereCanDoIsRefusedByName(string extra, string param, string code)
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var http = host.CreateClient();
        var body = """{"model":"gpt-4o-mini-tts","input":"Hello there.","voice":"alloy",""" + extra[1..];

        using var response = await http.PostAsync(new Uri("/v1/audio/speech", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TheNativeSpeakRouteRefusesAnUnknownVoiceBeforeATurnIsKept()
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var http = host.CreateClient();

        using var response = await http.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative), new { text = "Hello there.", voice = "bogus" });
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("voice", problem.GetProperty("param").GetString());
        Assert.Equal($"Invalid value: 'bogus'. Supported values are: {Supported}.", problem.GetProperty("detail").GetString());
        var turns = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/voice/turns", UriKind.Relative))).RootElement;
        Assert.Equal(0, turns.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task TheNativeRespondRouteRefusesAnUnknownVoiceBeforeTheAssistantIsAsked()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var http = host.CreateClient();
        var wav = await TestAudio.SpeakAsync("Hello.");

        using var response = await http.PostAsync(new Uri("/api/voice/respond", UriKind.Relative),
            VoiceHost.Form(wav, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId), ("voice", "bogus")));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("voice", problem.GetProperty("param").GetString());
        Assert.Empty(host.Chat.Requests);
    }
}
