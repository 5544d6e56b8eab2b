using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceService.Tests;

public sealed class VoiceRespondTests
{
    private const string Answer = "You get twenty five vacation days a year. Unused days carry over until March. Ask HR for details!";

    [Fact]
    public async Task SpokenQuestionIsRecognisedWithTheAssistantsVocabularyAndAnsweredAloudInOrder()
    {
        // The model holds its last sentence back until the client has heard the first one: a pipeline that waited
        // for the whole answer before speaking would never get there.
        var firstAudioHeard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await VoiceHost.StartAsync(Answer, TimeSpan.FromMilliseconds(20), holdLastSentence: firstAudioHeard.Task);
        using var client = host.CreateClient();
        var question = await TestAudio.SpeakAsync("How many vacation days do I get each year?");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/voice/respond")
        {
            Content = VoiceHost.Form(question, "question.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)),
        };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<SseEvent>();
        var heardBeforeAnswerEnded = false;
        await foreach (var item in SseEvent.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            events.Add(item);
            if (item.Name == "audio" && !firstAudioHeard.Task.IsCompleted)
            {
                heardBeforeAnswerEnded = !events.Any(e => e.Name == "text.delta" && e.Data.GetProperty("delta").GetString()!.Contains("details", StringComparison.Ordinal));
                firstAudioHeard.TrySetResult();
            }
        }
        Assert.True(heardBeforeAnswerEnded, "the first sentence should be spoken while the answer is still being written");
        Assert.Equal("transcript", events[0].Name);
        Assert.Equal("how many vacation days do i get each year", events[0].Data.GetProperty("text").GetString());
        Assert.Equal("done", events[^1].Name);

        var deltas = events.Where(e => e.Name == "text.delta").Select(e => e.Data.GetProperty("delta").GetString()).ToList();
        Assert.Equal(Answer, string.Concat(deltas));
        var audio = events.Where(e => e.Name == "audio").Select(e => e.Data).ToList();
        Assert.Equal([0, 1, 2], audio.Select(a => a.GetProperty("sequence").GetInt32()));
        Assert.Equal(["You get twenty five vacation days a year.", "Unused days carry over until March.", "Ask HR for details!"],
            audio.Select(a => a.GetProperty("sentence").GetString()));
        foreach (var item in audio)
        {
            Assert.Equal("mp3", item.GetProperty("format").GetString());
            var bytes = Convert.FromBase64String(item.GetProperty("audio").GetString()!);
            Assert.InRange(await TestAudio.DurationSecondsAsync(bytes), 0.8, 10);
        }


        var chatRequest = Assert.Single(host.Chat.Requests, r => r.PathAndQuery == "/v1/chat/completions");
        Assert.Equal("/v1/chat/completions", chatRequest.PathAndQuery);
        using var body = JsonDocument.Parse(chatRequest.Body);
        Assert.Equal(VoiceHost.AssistantId, body.RootElement.GetProperty("model").GetString());
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());
        Assert.Equal("how many vacation days do i get each year", body.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.True(chatRequest.Headers.ContainsKey("X-Caller-Identity"));

        var done = events[^1].Data;
        Assert.Equal(3, done.GetProperty("sentences").GetInt32());
        var timings = done.GetProperty("timings");
        foreach (var name in new[] { "stt_ms", "llm_ttft_ms", "first_sentence_ms", "tts_first_ms", "ttfa_ms", "total_ms" })
        {
            Assert.True(timings.GetProperty(name).GetDouble() > 0, name);
        }
        Assert.True(timings.GetProperty("ttfa_ms").GetDouble() < timings.GetProperty("total_ms").GetDouble());
    }

    [Theory]
    [InlineData("mp3", "audio/mpeg")]
    [InlineData("ogg", "audio/ogg")]
    [InlineData("webm", "audio/webm")]
    public async Task CompressedRecordingsAreConvertedAndRecognised(string format, string contentType)
    {
        await using var host = await VoiceHost.StartAsync(Answer, TimeSpan.FromMilliseconds(1));
        using var client = host.CreateClient();
        var question = await TestAudio.SpeakAsync("Can I work from home on Fridays?", format);

        using var response = await client.PostAsync(new Uri("/api/voice/respond", UriKind.Relative),
            VoiceHost.Form(question, "question." + format, contentType, ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await SseEvent.ReadAllAsync(response);
        Assert.Equal("can i work from home on fridays", events[0].Data.GetProperty("text").GetString());
    }

    [Fact]
    public async Task AcceptingWavReturnsTheAnswersAudioAloneAsOnePlayableStream()
    {
        await using var host = await VoiceHost.StartAsync(Answer, TimeSpan.FromMilliseconds(5));
        using var client = host.CreateClient();
        var question = await TestAudio.SpeakAsync("What is the parental leave policy?");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/voice/respond")
        {
            Content = VoiceHost.Form(question, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("audio/wav"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("what is the parental leave policy", Uri.UnescapeDataString(response.Headers.GetValues("X-Voice-Transcript").Single()));
        var audio = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("RIFF"u8.ToArray(), audio[..4]);
        // Three sentences of speech in one stream: several seconds of sound.
        Assert.InRange(await TestAudio.DurationSecondsAsync(audio), 3, 30);
    }

    [Fact]
    public async Task AClientThatDisconnectsStopsTheUpstreamAnswerAndIsRecordedAsCancelled()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var longAnswer = string.Concat(Enumerable.Range(1, 200).Select(i => $"This is sentence number {i}. "));
        await using var host = await VoiceHost.StartAsync(longAnswer, TimeSpan.FromMilliseconds(20), aborted);
        using var client = host.CreateClient();
        var question = await TestAudio.SpeakAsync("Can I work from home on Fridays?");

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/voice/respond")
        {
            Content = VoiceHost.Form(question, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)),
        })
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await foreach (var item in SseEvent.ReadAsync(await response.Content.ReadAsStreamAsync()))
            {
                if (item.Name == "audio")
                {
                    break; // The listener hangs up after the first sentence.
                }
            }
        }

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var turns = await WaitForTurnAsync(client);
        Assert.Equal("cancelled", turns.GetProperty("status").GetString());
        Assert.True(turns.GetProperty("sentences").GetInt32() < 200);
    }

    [Fact]
    public async Task TurnsListTheCallersTimingsNewestFirstAndNobodyElses()
    {
        await using var host = await VoiceHost.StartAsync(Answer, TimeSpan.FromMilliseconds(1));
        using var alice = host.CreateClient("usr_alice");
        using var bob = host.CreateClient("usr_bob");
        var question = await TestAudio.SpeakAsync("How many vacation days do I get each year?");

        using (var first = await alice.PostAsync(new Uri("/api/voice/respond", UriKind.Relative),
            VoiceHost.Form(question, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId))))
        {
            await first.Content.ReadAsStringAsync();
        }
        using (var second = await alice.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative), new { text = "Hello there. Goodbye." }))
        {
            await second.Content.ReadAsStringAsync();
        }

        var list = JsonDocument.Parse(await alice.GetStringAsync(new Uri("/api/voice/turns", UriKind.Relative))).RootElement;
        var bobs = JsonDocument.Parse(await bob.GetStringAsync(new Uri("/api/voice/turns", UriKind.Relative))).RootElement;

        Assert.Equal(0, bobs.GetProperty("data").GetArrayLength());
        var turns = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["speak", "respond"], turns.Select(t => t.GetProperty("kind").GetString()));
        var respond = turns[1];
        Assert.Equal("completed", respond.GetProperty("status").GetString());
        Assert.Equal("how many vacation days do i get each year", respond.GetProperty("transcript").GetString());
        foreach (var name in new[] { "stt_ms", "llm_ttft_ms", "first_sentence_ms", "tts_first_ms", "ttfa_ms", "total_ms" })
        {
            Assert.True(respond.GetProperty(name).GetDouble() > 0, name);
        }
        Assert.Equal(JsonValueKind.Null, turns[0].GetProperty("stt_ms").ValueKind);
        Assert.Equal(2, turns[0].GetProperty("sentences").GetInt32());
    }

    [Fact]
    public async Task AnAssistantOutsideTheKeysScopeIsRefusedAsTheGatewayRefusesItAndNothingIsAsked()
    {
        await using var host = await VoiceHost.StartAsync(Answer, TimeSpan.FromMilliseconds(1));
        using var client = host.CreateClient().ActAs("usr_alice", "key_1", ["asst_other"]);
        var question = await TestAudio.SpeakAsync("Can I work from home on Fridays?");

        using var response = await client.PostAsync(new Uri("/api/voice/respond", UriKind.Relative),
            VoiceHost.Form(question, "q.wav", "audio/wav", ("assistant_id", VoiceHost.AssistantId)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("assistant_not_allowed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Empty(host.Chat.Requests);
    }

    [Fact]
    public async Task AnAssistantChatServiceDoesNotKnowIsNotFoundToRespondSpeakAndTranscribeAndLeavesNoTurn()
    {
        await using var chat = await ChatThatKnowsNoAssistantAsync();
        await using var host = await VoiceHost.StartAsync(Answer, TimeSpan.FromMilliseconds(1),
            configure: f => f.With("services:chat-service:http:0", chat.Url.ToString()));
        using var client = host.CreateClient();
        var question = await TestAudio.SpeakAsync("Can I work from home on Fridays?");

        using var responded = await client.PostAsync(new Uri("/api/voice/respond", UriKind.Relative),
            VoiceHost.Form(question, "q.wav", "audio/wav", ("assistant_id", "asst_gone")));
        using var spoken = await client.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative),
            new { text = "Hello there.", assistant_id = "asst_gone" });
        using var transcribed = await client.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(question, "q.wav", "audio/wav", ("model", "asst_gone")));
        var turns = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/voice/turns", UriKind.Relative))).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, responded.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, spoken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, transcribed.StatusCode);
        Assert.Equal("invalid_request_error", JsonDocument.Parse(await transcribed.Content.ReadAsStringAsync())
            .RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(0, turns.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task SpeechWhoseModelNamesAnAssistantChatServiceDoesNotKnowIsNotFound()
    {
        await using var chat = await ChatThatKnowsNoAssistantAsync();
        await using var host = await VoiceHost.StartAsync(Answer, TimeSpan.FromMilliseconds(1),
            configure: f => f.With("services:chat-service:http:0", chat.Url.ToString()));
        using var client = host.CreateClient();

        using var theirs = await client.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative),
            new { model = "asst_theirs", input = "Hello there.", voice = "alloy" });
        using var plain = await client.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative),
            new { model = "tts-1", input = "Hello there.", voice = "alloy" });

        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal("invalid_request_error", JsonDocument.Parse(await theirs.Content.ReadAsStringAsync())
            .RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Single(chat.Requests);
    }

    /// <summary>chat-service answering 404 to everything, as it answers for an assistant that is not the caller's.</summary>
    private static Task<ScriptedHttpServer> ChatThatKnowsNoAssistantAsync() => ScriptedHttpServer.StartAsync(context =>
    {
        context.Response.StatusCode = 404;
        return context.Response.WriteAsJsonAsync(new { error = new { message = "No such assistant", type = "invalid_request_error" } });
    });

    private static async Task<JsonElement> WaitForTurnAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var list = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/voice/turns", UriKind.Relative))).RootElement;
            if (list.GetProperty("data").GetArrayLength() > 0)
            {
                return list.GetProperty("data")[0].Clone();
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("No turn was recorded.");
    }
}
