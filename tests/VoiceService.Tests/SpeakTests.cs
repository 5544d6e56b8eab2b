using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceService.Tests;

public sealed class SpeakTests
{
    [Fact]
    public async Task TextIsSpokenSentenceBySentenceInOrder()
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative),
            new { text = "First, sign the form. Then send it to Dr. Jones. She replies within 2.5 days!", response_format = "wav" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await SseEvent.ReadAllAsync(response);
        var audio = events.Where(e => e.Name == "audio").ToList();
        Assert.Equal([0, 1, 2], audio.Select(a => a.Data.GetProperty("sequence").GetInt32()));
        Assert.Equal(["First, sign the form.", "Then send it to Dr. Jones.", "She replies within 2.5 days!"],
            audio.Select(a => a.Data.GetProperty("sentence").GetString()));
        Assert.All(audio, a => Assert.Equal("wav", a.Data.GetProperty("format").GetString()));
        Assert.Equal("done", events[^1].Name);
        Assert.Empty(host.Chat.Requests);
    }

    [Fact]
    public async Task APromptIsAnsweredByTheAssistantAndSpokenAsMp3Stream()
    {
        const string answer = "Remote work is allowed on Fridays. Ask your manager first.";
        await using var host = await VoiceHost.StartAsync(answer, TimeSpan.FromMilliseconds(2));
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/voice/speak")
        {
            Content = JsonContent.Create(new { prompt = "Can I work from home?", assistant_id = VoiceHost.AssistantId }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("audio/mpeg"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        var mp3 = await response.Content.ReadAsByteArrayAsync();
        Assert.InRange(await TestAudio.DurationSecondsAsync(mp3), 2, 20);
        using var body = JsonDocument.Parse(Assert.Single(host.Chat.Requests, r => r.PathAndQuery == "/v1/chat/completions").Body);
        Assert.Equal("Can I work from home?", body.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("stop", "completed")]
    [InlineData("length", "incomplete")]
    public async Task AnAnswerCutAtItsTokenCapIsSpokenAsFarAsItWentAndItsTurnSaysIncomplete(string finishReason, string status)
    {
        const string answer = "Remote work is allowed on Fridays. Ask your manager";
        await using var host = await VoiceHost.StartAsync(answer, TimeSpan.FromMilliseconds(1), finishReason: finishReason);
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative),
            new { prompt = "Can I work from home?", assistant_id = VoiceHost.AssistantId, response_format = "wav" });
        var events = await SseEvent.ReadAllAsync(response);
        var turns = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/voice/turns", UriKind.Relative))).RootElement;

        Assert.Equal(["Remote work is allowed on Fridays.", "Ask your manager"],
            events.Where(e => e.Name == "audio").Select(a => a.Data.GetProperty("sentence").GetString()));
        var done = events[^1];
        Assert.Equal("done", done.Name);
        Assert.Equal(status, done.Data.GetProperty("status").GetString());
        Assert.Equal(finishReason == "length" ? "max_tokens" : null,
            done.Data.TryGetProperty("incomplete_details", out var details) && details.ValueKind == JsonValueKind.Object
                ? details.GetProperty("reason").GetString()
                : null);
        Assert.Equal(status, Assert.Single(turns.GetProperty("data").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task NeitherTextNorPromptOrBothIsABadRequest()
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var client = host.CreateClient();

        using var neither = await client.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative), new { voice = "alloy" });
        using var both = await client.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative), new { text = "a", prompt = "b", assistant_id = VoiceHost.AssistantId });
        using var promptAlone = await client.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative), new { prompt = "b" });

        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, promptAlone.StatusCode);
    }

    [Theory]
    [InlineData("!!!", "audio/wav")]
    [InlineData("... ?", "text/event-stream")]
    public async Task TextWithNothingToSpeakIsABadRequestNotAnEmptyRecording(string text, string accept)
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/voice/speak") { Content = JsonContent.Create(new { text }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));

        using var response = await client.SendAsync(request);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("nothing_to_speak", problem.GetProperty("code").GetString());
        Assert.Equal("text", problem.GetProperty("param").GetString());
    }

    [Fact]
    public async Task SpeedAskedOfTheNativeRoutesChangesHowLongTheirSpeechLasts()
    {
        const string answer = "Trains are booked through the travel desk two weeks ahead.";
        await using var host = await VoiceHost.StartAsync(answer, TimeSpan.Zero);
        using var client = host.CreateClient();
        var question = await TestAudio.SpeakAsync("How do I book a train?");

        async Task<double> SpokenAsync(HttpContent content, string route)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("audio/wav"));
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await TestAudio.DurationSecondsAsync(await response.Content.ReadAsByteArrayAsync());
        }
        Task<double> SpeakAtAsync(double? speed) => SpokenAsync(JsonContent.Create(new { text = answer, speed }), "/api/voice/speak");
        Task<double> RespondAtAsync(string speed) => SpokenAsync(
            VoiceHost.Form(question, "question.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId), ("speed", speed)), "/api/voice/respond");

        var usual = await SpeakAtAsync(null);
        var fast = await SpeakAtAsync(2.0);
        var slowAnswer = await RespondAtAsync("0.5");

        Assert.InRange(fast / usual, 0.25, 0.8);
        Assert.InRange(slowAnswer / usual, 1.3, 3.0);
    }

    [Theory]
    [InlineData("""{"text":"Hello.","speed":9}""", "invalid_value")]
    [InlineData("""{"text":"Hello.","speed":0.1}""", "invalid_value")]
    [InlineData("""{"text":"Hello.","speed":"fast"}""", "invalid_request")]
    public async Task ASpeedOutsideOpenAIsRangeIsRefusedNamingIt(string body, string code)
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var client = host.CreateClient();

        using var response = await client.PostAsync(new Uri("/api/voice/speak", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal("speed", problem.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ASpeedThatIsNoNumberInARecordingsFormIsRefusedNamingIt()
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var client = host.CreateClient();
        var question = await TestAudio.SpeakAsync("Hello.");

        using var response = await client.PostAsync(new Uri("/api/voice/respond", UriKind.Relative),
            VoiceHost.Form(question, "question.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId), ("speed", "fast")));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_type", problem.GetProperty("code").GetString());
        Assert.Equal("speed", problem.GetProperty("param").GetString());
    }
}
