using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults.Access;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using VoiceService.Services.Audio;
using VoiceService.Services.SpeechToText;
using VoiceService.Services.TextToSpeech;

namespace VoiceService.Apis;

/// <summary>OpenAI's audio routes, in OpenAI's shapes, so the official SDKs' AudioClient works unchanged.</summary>
public static class AudioApi
{
    public static IEndpointRouteBuilder MapAudioApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/audio").WithTags("Audio");
        api.MapPost("/transcriptions", TranscribeAsync).DisableAntiforgery()
            .WithSummary("Multipart file (+ model, language, prompt, response_format); a model of asst_... recognises with that assistant's vocabulary.");
        api.MapPost("/translations", TranslateAsync).DisableAntiforgery()
            .WithSummary("Multipart file (+ model, prompt, response_format): English text of the speech. The recognizers here hear English, so this is its transcript.");
        api.MapPost("/speech", SpeechAsync)
            .WithSummary("JSON input, voice, response_format (mp3, opus, aac, flac, wav, pcm); the audio as the body. A model of asst_... must be an assistant the caller may use.");
        return app;
    }

    public static Task<IResult> TranscribeAsync(HttpContext context, CallerIdentity caller, RecordingReader recordings,
        VocabularyProvider vocabularies, ISpeechToText speechToText, AssistantAccess access) =>
        RecognizeAsync("transcribe", context, caller, recordings, vocabularies, speechToText, access);

    /// <summary>
    /// OpenAI's translation into English. The recognizer hears one language; when that is English its transcript is
    /// the translation, otherwise there is nothing here that could translate it, and the request is refused.
    /// </summary>
    public static Task<IResult> TranslateAsync(HttpContext context, CallerIdentity caller, RecordingReader recordings,
        VocabularyProvider vocabularies, ISpeechToText speechToText, AssistantAccess access) =>
        speechToText.Language == English
            ? RecognizeAsync("translate", context, caller, recordings, vocabularies, speechToText, access)
            : throw RequestErrors.Unsupported("file", $"translation: the recognizer here hears '{speechToText.Language}' and nothing here translates it into English.");

    private const string English = "en";

    private static async Task<IResult> RecognizeAsync(string task, HttpContext context, CallerIdentity caller, RecordingReader recordings,
        VocabularyProvider vocabularies, ISpeechToText speechToText, AssistantAccess access)
    {
        var cancellationToken = context.RequestAborted;
        var form = await recordings.ReadFormAsync(context.Request, cancellationToken);
        var responseFormat = form["response_format"].ToString() is { Length: > 0 } f ? f : "json";
        if (responseFormat is not ("json" or "text" or "verbose_json" or "srt" or "vtt"))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"response_format '{responseFormat}' is not one of json, text, verbose_json, srt, vtt.",
                "Bad request", "invalid_value") { Param = "response_format" };
        }
        if (task == "translate")
        {
            // OpenAI's translations take neither: the language is found, and the text is timed by segment only.
            foreach (var field in (string[])["language", "timestamp_granularities", "include", "stream"])
            {
                if (FormList(form, field).Count > 0)
                {
                    throw RequestErrors.UnknownParameter(field, "A translation finds the speech's language itself and answers whole, timed by segment.");
                }
            }
        }
        RefuseWhatIsNotHeard(form, speechToText);
        var recording = await recordings.ReadAsync(form.Files["file"] ?? form.Files.FirstOrDefault(), cancellationToken);

        var model = form["model"].ToString();
        var vocabulary = model.StartsWith("asst_", StringComparison.Ordinal)
            ? await vocabularies.GetAsync(await VoiceApi.RequireAssistantAsync(caller, model, access, cancellationToken), caller.UserId, cancellationToken)
            : Vocabulary.Empty;
        // OpenAI's prompt steers recognition towards its words; here it joins the vocabulary.
        if (form["prompt"].ToString() is { Length: > 0 } prompt)
        {
            vocabulary = new Vocabulary(
                [.. vocabulary.Phrases, .. prompt.Split(['.', '?', '!', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                [.. vocabulary.Terms, .. VocabularyProvider.Terms([prompt])]);
        }

        var text = (await speechToText.TranscribeAsync(recording, vocabulary, cancellationToken)).Trim();
        Wav.TryRead(recording.Wav, out var wav);
        var seconds = wav.Duration.TotalSeconds;
        return responseFormat switch
        {
            "text" => TypedResults.Text(text + "\n", "text/plain", Encoding.UTF8),
            "srt" => TypedResults.Text($"1\n00:00:00,000 --> {Timestamp(seconds, ',')}\n{text}\n\n", "text/plain", Encoding.UTF8),
            "vtt" => TypedResults.Text($"WEBVTT\n\n00:00:00.000 --> {Timestamp(seconds, '.')}\n{text}\n\n", "text/vtt", Encoding.UTF8),
            "verbose_json" => TypedResults.Json(new
            {
                task,
                language = NullIfEmpty(form["language"].ToString()) ?? "english",
                duration = Math.Round(seconds, 2),
                text,
                segments = new[] { Segment(text, Math.Round(seconds, 2)) },
            }),
            _ => TypedResults.Json(new { text }),
        };
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SpeechAsync(HttpContext context, CallerIdentity caller,
        SpeechRequest request, ITextToSpeech speech, Microsoft.Extensions.Options.IOptions<VoiceOptions> options, AssistantAccess access)
    {
        if (request.Model is { } model && model.StartsWith("asst_", StringComparison.Ordinal))
        {
            // As transcriptions do: another user's assistant is answered as if it did not exist, never spoken for.
            await VoiceApi.RequireAssistantAsync(caller, model, access, context.RequestAborted);
        }
        var input = request.Input?.Trim();
        if (string.IsNullOrEmpty(input))
        {
            return Invalid("input", "input is required.");
        }
        if (input.Length > options.Value.MaxSpeechInputChars)
        {
            return Invalid("input", $"input is longer than {options.Value.MaxSpeechInputChars} characters.");
        }
        if (!SpeechFormats.TryParse(request.ResponseFormat, out var format))
        {
            return Invalid("response_format", $"response_format '{request.ResponseFormat}' is not one of mp3, opus, aac, flac, wav, pcm.");
        }
        SpeechVoices.Ensure(speech, request.Voice);
        var speed = SpeechSpeed.Ensure(request.Speed);
        if (!string.IsNullOrWhiteSpace(request.Instructions))
        {
            throw RequestErrors.Unsupported("instructions", "the speech engines here take no instructions on how to speak.");
        }
        switch (request.StreamFormat)
        {
            case null or "audio":
                break;
            case "sse":
                throw RequestErrors.Unsupported("stream_format", "the audio comes back whole (stream_format 'audio').");
            default:
                throw RequestErrors.InvalidValue("stream_format", request.StreamFormat, ["sse", "audio"]);
        }
        var audio = await speech.SynthesizeAsync(input, request.Voice, format, speed, context.RequestAborted);
        return TypedResults.File(audio.Data, format.ContentType());
    }

    /// <summary>
    /// OpenAI's transcription fields the recognizers here cannot honour, refused by name rather than answered with a
    /// transcript that leaves them out. A `language` other than the recognizer's would be heard as its own anyway.
    /// </summary>
    private static void RefuseWhatIsNotHeard(IFormCollection form, ISpeechToText speechToText)
    {
        if (form["stream"].ToString() is "true" or "True")
        {
            throw RequestErrors.Unsupported("stream", "the transcript comes back whole.");
        }
        if (FormList(form, "include") is [var include, ..])
        {
            // OpenAI's one value is the one the recognizers cannot give.
            throw include == "logprobs"
                ? RequestErrors.Unsupported("include[0]", "logprobs (the recognizers here give no token log probabilities).")
                : RequestErrors.InvalidValue("include[0]", include, ["logprobs"]);
        }
        var granularities = FormList(form, "timestamp_granularities");
        for (var i = 0; i < granularities.Count; i++)
        {
            switch (granularities[i])
            {
                case "segment":
                    break;
                case "word":
                    throw RequestErrors.Unsupported($"timestamp_granularities[{i}]", "word (the recognizers here time segments only).");
                default:
                    throw RequestErrors.InvalidValue($"timestamp_granularities[{i}]", granularities[i], ["word", "segment"]);
            }
        }
        if (NullIfEmpty(form["language"].ToString()) is { } language && !language.Equals(speechToText.Language, StringComparison.OrdinalIgnoreCase))
        {
            throw RequestErrors.Unsupported("language", $"the recognizer here hears '{speechToText.Language}' only.");
        }
    }

    /// <summary>A repeated form field, as SDKs write it: `name[]` or `name`.</summary>
    private static List<string> FormList(IFormCollection form, string name) =>
        [.. form[name + "[]"].Concat(form[name]).OfType<string>()];

    /// <summary>
    /// One segment with every field of OpenAI's (SDKs declare them all). The recognizer gives no token ids or
    /// probabilities, so those say "nothing known to doubt": no tokens, greedy decoding, no compression, speech.
    /// </summary>
    private static object Segment(string text, double end) => new
    {
        id = 0, seek = 0, start = 0.0, end, text,
        tokens = Array.Empty<int>(), temperature = 0.0, avg_logprob = 0.0, compression_ratio = 1.0, no_speech_prob = 0.0,
    };

    private static ProblemHttpResult Invalid(string param, string message) =>
        TypedResults.Problem(message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
            extensions: new Dictionary<string, object?> { ["param"] = param, ["code"] = "invalid_value" });

    private static string Timestamp(double seconds, char separator)
    {
        var time = TimeSpan.FromSeconds(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}{separator}{time.Milliseconds:000}");
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

public sealed record SpeechRequest(string? Model, string? Input, string? Voice, string? ResponseFormat, double? Speed, string? Instructions, string? StreamFormat);
