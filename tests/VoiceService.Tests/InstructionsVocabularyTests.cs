using System.Globalization;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace VoiceService.Tests;

/// <summary>
/// An assistant with nothing but instructions (no intents, no documents), asked in-domain questions by four
/// synthetic voices of flite and espeak-ng: recognition takes its words from the instructions, and the word error
/// rate over the spoken set is measured beside the generic model's in one run.
/// </summary>
public sealed class InstructionsVocabularyTests(ITestOutputHelper output)
{
    private const string AssistantId = "asst_small";

    private const string Instructions =
        "Employees get 27 vacation days per year. Sick leave needs a doctor's note after three days. " +
        "Salary is paid on the last working day of each month. Remote work is allowed two days a week.";

    private static readonly string[] Questions =
    [
        "how many vacation days do i get",
        "tell me about sick leave",
        "when is salary paid",
        "tell me about remote work",
        "how do i get a doctor's note",
        "how many vacation days do i get per year",
    ];

    private static readonly string[] Voices = ["espeak-ng:en-us", "espeak-ng:en-gb", "flite:slt", "flite:kal16"];

    [Fact]
    public async Task QuestionsAboutTheInstructionsAreRecognisedWithFewWordErrorsAcrossVoices()
    {
        await using var chat = await ScriptedHttpServer.StartAsync(async context =>
        {
            if (context.Request.Path.Value == $"/v1/assistants/{AssistantId}")
            {
                await context.Response.WriteAsJsonAsync(new { id = AssistantId, @object = "assistant", instructions = Instructions });
                return;
            }
            context.Response.StatusCode = 404;
        });
        await using var nothing = await ScriptedHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        await using var factory = new ServiceFactory<Program>()
            .With("services:chat-service:http:0", chat.Url.ToString())
            .With("services:intent-cache-service:http:0", nothing.Url.ToString())
            .With("services:document-service:http:0", nothing.Url.ToString());

        int words = 0, errors = 0, genericErrors = 0;
        foreach (var voice in Voices)
        {
            foreach (var question in Questions)
            {
                var wav = await TestAudio.SpeakWithAsync(voice, question);
                var heard = await TranscribeAsync(factory, wav, AssistantId);
                var generic = await TranscribeAsync(factory, wav, "whisper-1");
                var reference = Words(question);
                words += reference.Length;
                errors += WordErrors(reference, Words(heard));
                genericErrors += WordErrors(reference, Words(generic));
                output.WriteLine($"{voice}: \"{question}\" -> \"{heard}\" (generic \"{generic}\")");
            }
        }
        var rate = errors / (double)words;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"word error rate {errors}/{words} = {rate:0.000} with the instructions' vocabulary, {genericErrors / (double)words:0.000} with the generic model"));

        Assert.True(rate <= 0.10, $"word error rate {rate:0.000}");
        Assert.True(errors < genericErrors, $"{errors} vs {genericErrors}");
    }

    /// <summary>A client per call: the vouched caller token is short-lived and the whole set takes minutes.</summary>
    private static async Task<string> TranscribeAsync(ServiceFactory<Program> factory, byte[] wav, string model)
    {
        using var client = factory.CreateClient().ActAs("usr_small");
        client.Timeout = TimeSpan.FromSeconds(120);
        using var response = await client.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(wav, "q.wav", "audio/wav", ("model", model)));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Transcription>())!.Text;
    }

    private static string[] Words(string text) =>
        text.ToLowerInvariant().Split([' ', '.', ',', '?', '!'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Substitutions, insertions and deletions: the word-level edit distance.</summary>
    private static int WordErrors(string[] reference, string[] heard)
    {
        var previous = Enumerable.Range(0, heard.Length + 1).ToArray();
        for (var i = 1; i <= reference.Length; i++)
        {
            var current = new int[heard.Length + 1];
            current[0] = i;
            for (var j = 1; j <= heard.Length; j++)
            {
                var substitution = previous[j - 1] + (reference[i - 1] == heard[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            previous = current;
        }
        return previous[heard.Length];
    }

    private sealed record Transcription(string Text);
}
