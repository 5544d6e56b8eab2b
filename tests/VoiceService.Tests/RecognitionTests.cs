using System.Net.Http.Json;

namespace VoiceService.Tests;

public sealed class RecognitionTests
{
    private static async Task<string> TranscribeAsync(HttpClient client, byte[] wav, string model)
    {
        using var response = await client.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(wav, "q.wav", "audio/wav", ("model", model)));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Transcription>())!.Text;
    }

    [Fact]
    public async Task AQuestionAboutTheDocumentsTermsIsRecognisedThroughTheQuestionFrames()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var client = host.CreateClient();
        // Not one of the intents' examples: only the documents know "parental" and "leave".
        var wav = await TestAudio.SpeakAsync("Tell me about parental leave.");

        var text = await TranscribeAsync(client, wav, VoiceHost.AssistantId);

        Assert.Equal("tell me about parental leave", text);
    }

    [Fact]
    public async Task TheVocabularyIsWhatMakesASyntheticVoiceRecognisable()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero);
        using var client = host.CreateClient();
        var wav = await TestAudio.SpeakAsync("How many vacation days do I get each year?");

        var biased = await TranscribeAsync(client, wav, VoiceHost.AssistantId);
        var generic = await TranscribeAsync(client, wav, "whisper-1");

        Assert.Equal("how many vacation days do i get each year", biased);
        Assert.NotEqual(biased, generic);
        Assert.Equal(2, host.Knowledge.Requests.Count(r => r.PathAndQuery.StartsWith("/api/", StringComparison.Ordinal) && r.Method == "GET"));
    }

    [Fact]
    public async Task WithoutItsSiblingsRecognitionStillAnswersFromTheGenericModel()
    {
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero, configure: f => f
            .With("services:intent-cache-service:http:0", "http://127.0.0.1:9")
            .With("services:document-service:http:0", "http://127.0.0.1:9")
            .With("Resilience:MaxRetries", "0"));
        using var client = host.CreateClient();
        var wav = await TestAudio.SpeakAsync("How many vacation days do I get each year?");

        using var response = await client.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(wav, "q.wav", "audio/wav", ("model", VoiceHost.AssistantId)));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((await response.Content.ReadFromJsonAsync<Transcription>())!.Text));
    }

    private sealed record Transcription(string Text);
}
