// Time to first audio byte: the streamed voice pipeline against the sequential one (whole answer first, then all
// of its speech), on a five-sentence answer from a scripted upstream streaming at a realistic pace.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TestInfrastructure;
using VoiceService.Model;
using VoiceService.Services.Answers;
using VoiceService.Services.TextToSpeech;

namespace Voice.Bench;

internal static class VoiceBench
{
    public static async Task Main(string[] args)
    {
        // Five sentences of similar length, as a spoken answer has them.
        const string Answer =
            "Yes, you get twenty five vacation days a year, starting on your very first day. " +
            "Unused days carry over until the end of March in the following year. " +
            "Send your requests through the HR portal two weeks before you leave. " +
            "Your manager approves them, usually within two working days of asking. " +
            "The HR team answers any other questions every weekday morning.";
        var tokenPace = TimeSpan.FromMilliseconds(Arg("--token-ms", 30));
        var firstTokenDelay = TimeSpan.FromMilliseconds(Arg("--ttft-ms", 300));
        var runs = Arg("--runs", 5);

        var clock = Stopwatch.StartNew();
        double firstSentenceSentAt = 0;
        var tokens = Tokens(Answer);
        var firstPieceEnd = tokens.FindIndex(t => t.EndsWith("year,", StringComparison.Ordinal));

        await using var upstream = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await Task.Delay(firstTokenDelay, context.RequestAborted);
            for (var i = 0; i < tokens.Count; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(tokenPace, context.RequestAborted);
                }
                var chunk = JsonSerializer.Serialize(new { @object = "chat.completion.chunk", choices = new[] { new { index = 0, delta = new { content = tokens[i] } } } });
                await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (i == firstPieceEnd)
                {
                    firstSentenceSentAt = clock.Elapsed.TotalMilliseconds;
                }
            }
            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        });

        await using var factory = new ServiceFactory<Program>()
            .With("services:chat-service:http:0", upstream.Url.ToString())
            .With("Logging:LogLevel:Default", "Warning");
        using var client = factory.CreateClient().ActAs("usr_bench");
        client.Timeout = TimeSpan.FromMinutes(2);
        var speech = factory.Services.GetRequiredService<ITextToSpeech>();
        var chat = factory.Services.GetRequiredService<ChatAnswerClient>();

        // Warm both paths (process start-up of the engines, JIT) before measuring.
        await StreamedAsync();
        await SequentialAsync();

        var streamed = new List<double>();
        var sequential = new List<double>();
        var overheads = new List<double>();
        var firstSentence = new List<double>();
        var firstSynthesis = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (ttfa, generation, synthesis) = await StreamedAsync();
            streamed.Add(ttfa);
            firstSentence.Add(generation);
            firstSynthesis.Add(synthesis);
            overheads.Add(ttfa - generation - synthesis);
            sequential.Add(await SequentialAsync());
        }

        Console.WriteLine($"answer: 5 sentences, {tokens.Count} tokens, first token after {firstTokenDelay.TotalMilliseconds} ms, then one every {tokenPace.TotalMilliseconds} ms; {runs} runs, medians");
        Console.WriteLine($"sequential  time to first audio byte: {Median(sequential),8:0.0} ms");
        Console.WriteLine($"streamed    time to first audio byte: {Median(streamed),8:0.0} ms");
        Console.WriteLine($"  first piece generated after         {Median(firstSentence),8:0.0} ms");
        Console.WriteLine($"  first piece synthesised in          {Median(firstSynthesis),8:0.0} ms");
        Console.WriteLine($"  pipeline overhead beyond both       {Median(overheads),8:0.0} ms   (target <= 20 ms)");
        Console.WriteLine($"ratio streamed / sequential:          {Median(streamed) / Median(sequential),8:0.000}   (target <= 0.25)");
        // What no pipeline can beat: it must wait for the upstream's first token and first piece, and synthesise that piece.
        var floor = (Median(firstSentence) + Median(firstSynthesis)) / Median(sequential);
        Console.WriteLine($"  floor for this pace and synthesis speed: {floor:0.000} (first piece generation + synthesis over the sequential time)");
        Console.WriteLine($"per run (streamed/sequential/overhead ms): {string.Join("; ", streamed.Select((s, i) => $"{s:0}/{sequential[i]:0}/{overheads[i]:0.0}"))}");

        // The service end to end: POST /api/voice/speak with a prompt, Accept: audio/mpeg, until the first byte arrives.
        async Task<(double Ttfa, double FirstSentence, double Synthesis)> StreamedAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/voice/speak")
            {
                Content = JsonContent.Create(new { prompt = "How many vacation days do I get?", assistant_id = "asst_bench" }),
            };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("audio/mpeg"));
            client.ActAs("usr_bench"); // Caller tokens live a minute: a fresh one per turn.
            var start = clock.Elapsed.TotalMilliseconds;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var first = new byte[1];
            await body.ReadExactlyAsync(first);
            var ttfa = clock.Elapsed.TotalMilliseconds - start;
            var generation = firstSentenceSentAt - start;
            await body.CopyToAsync(Stream.Null);

            client.ActAs("usr_bench");
            using var turns = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/voice/turns?limit=1", UriKind.Relative)));
            var synthesis = turns.RootElement.GetProperty("data")[0].GetProperty("tts_first_ms").GetDouble();
            return (ttfa, generation, synthesis);
        }

        // The same parts one after another: the whole answer, then every sentence's speech, then the first byte can go.
        async Task<double> SequentialAsync()
        {
            var start = clock.Elapsed.TotalMilliseconds;
            using var answer = await chat.StartAsync("asst_bench", "How many vacation days do I get?", null, CancellationToken.None);
            var text = new System.Text.StringBuilder();
            await foreach (var delta in answer.ReadDeltasAsync(CancellationToken.None))
            {
                text.Append(delta);
            }
            var splitter = new SentenceSplitter(220);
            var sentences = splitter.Push(text.ToString()).Concat(splitter.Flush()).ToList();
            var audio = new List<byte[]>();
            foreach (var sentence in sentences)
            {
                audio.Add((await speech.SynthesizeAsync(sentence, null, SpeechFormat.Mp3, CancellationToken.None)).Data);
            }
            return clock.Elapsed.TotalMilliseconds - start;
        }

        static double Median(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        static List<string> Tokens(string text)
        {
            var list = new List<string>();
            var start = 0;
            for (var i = 1; i <= text.Length; i++)
            {
                if (i == text.Length || text[i] == ' ')
                {
                    list.Add(text[start..i]);
                    start = i;
                }
            }
            return list;
        }

        int Arg(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }
    }
}
