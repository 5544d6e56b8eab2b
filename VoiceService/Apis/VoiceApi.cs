using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ServiceDefaults.Access;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Lists;
using VoiceService.Services.Answers;
using VoiceService.Services.Audio;
using VoiceService.Services.SpeechToText;
using VoiceService.Services.TextToSpeech;
using VoiceService.Services.Turns;

namespace VoiceService.Apis;

/// <summary>The native voice routes: a spoken question answered aloud, text spoken, and the turns' timings.</summary>
public static class VoiceApi
{
    public static IEndpointRouteBuilder MapVoiceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/voice").WithTags("Voice");
        api.MapPost("/respond", RespondAsync).DisableAntiforgery()
            .WithSummary("Audio in (multipart: file or audio, assistant_id, optional thread_id to keep the turn in, voice, speed, response_format); one SSE stream of transcript, text.delta, audio and done events, or the audio alone with Accept: audio/mpeg or audio/wav.");
        api.MapPost("/speak", SpeakAsync)
            .WithSummary("Text, or a prompt for an assistant (kept in thread_id's thread when given), spoken sentence by sentence; the same output as /respond.");
        api.MapGet("/turns", ListTurnsAsync)
            .WithSummary("The caller's recent voice turns with their timings (milliseconds).");
        return app;
    }

    public static async Task RespondAsync(HttpContext context, CallerIdentity caller, [AsParameters] VoiceServices services)
    {
        var clock = new TurnClock();
        var cancellationToken = context.RequestAborted;
        var form = await services.Recordings.ReadFormAsync(context.Request, cancellationToken);
        var threadId = NullIfEmpty(form["thread_id"].ToString());
        var format = ParseFormat(form["response_format"].ToString());
        var voice = NullIfEmpty(form["voice"].ToString());
        SpeechVoices.Ensure(services.Speech, voice);
        var speed = SpeechSpeed.Read(NullIfEmpty(form["speed"].ToString()));

        // The recording's own faults first, as for documents: they are the client's to fix whoever's assistant it names.
        var recording = await services.Recordings.ReadAsync(form.Files["file"] ?? form.Files["audio"] ?? form.Files.FirstOrDefault(), cancellationToken);
        var assistantId = await RequireAssistantAsync(caller, form["assistant_id"].ToString(), services.Access, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var vocabulary = await services.Vocabulary.GetAsync(assistantId, caller.UserId, cancellationToken);
        var transcript = (await services.SpeechToText.TranscribeAsync(recording, vocabulary, cancellationToken)).Trim();
        clock.RecognitionDone(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (transcript.Length == 0)
        {
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, "No speech was recognised in the recording.", "No speech", "no_speech");
        }

        clock.AnswerRequested();
        using var answer = await services.Chat.StartAsync(assistantId, transcript, threadId, cancellationToken);
        await services.Runner.RunAsync(context, caller, new VoiceTurnRunner.Turn("respond", assistantId, transcript, voice, format, speed), clock,
            answer.ReadDeltasAsync(cancellationToken), () => answer.Cut, cancellationToken);
    }

    public static async Task SpeakAsync(HttpContext context, CallerIdentity caller, SpeakRequest request, [AsParameters] VoiceServices services)
    {
        var clock = new TurnClock();
        var cancellationToken = context.RequestAborted;
        var format = ParseFormat(request.ResponseFormat);
        SpeechVoices.Ensure(services.Speech, request.Voice);
        var speed = SpeechSpeed.Ensure(request.Speed);
        var text = request.Text?.Trim();
        var prompt = request.Prompt?.Trim();
        if (string.IsNullOrEmpty(text) == string.IsNullOrEmpty(prompt))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "Send either text to speak or a prompt (with assistant_id) to answer.", "Bad request", "invalid_request");
        }
        if ((text ?? prompt)!.Length > services.Options.Value.MaxSpeechInputChars)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"The text is longer than {services.Options.Value.MaxSpeechInputChars} characters.", "Bad request", "text_too_long");
        }

        if (text is { Length: > 0 } && !SentenceSplitter.Speakable(text).Any(char.IsLetterOrDigit))
        {
            // The synthesizer says nothing for "!!!": an empty WAV with a 200 is no answer a player can use.
            throw new ApiException(StatusCodes.Status400BadRequest, "The text has nothing to speak: it has no letters or digits.", "Bad request",
                "nothing_to_speak") { Param = "text" };
        }
        if (text is { Length: > 0 })
        {
            var assistant = string.IsNullOrEmpty(request.AssistantId)
                ? null
                : await RequireAssistantAsync(caller, request.AssistantId, services.Access, cancellationToken);
            await services.Runner.RunAsync(context, caller, new VoiceTurnRunner.Turn("speak", assistant, null, request.Voice, format, speed), clock,
                Once(text), cut: null, cancellationToken);
            return;
        }

        var assistantId = await RequireAssistantAsync(caller, request.AssistantId, services.Access, cancellationToken);
        clock.AnswerRequested();
        using var answer = await services.Chat.StartAsync(assistantId, prompt!, request.ThreadId, cancellationToken);
        await services.Runner.RunAsync(context, caller, new VoiceTurnRunner.Turn("speak", assistantId, null, request.Voice, format, speed), clock,
            answer.ReadDeltasAsync(cancellationToken), () => answer.Cut, cancellationToken);
    }

    /// <summary>Pages as every list does (<see cref="ListQuery"/>: `limit` 1..100, default 20, newest first).</summary>
    public static async Task<Ok<TurnList>> ListTurnsAsync(CallerIdentity caller, TurnStore turns, CancellationToken cancellationToken,
        [FromQuery] int? limit = null, [FromQuery] string? order = null, [FromQuery] string? after = null, [FromQuery] string? before = null)
    {
        var list = ListQuery.Read(limit, order, after, before, maxLimit: 100);
        // A key sees the turns of the assistants it is scoped to; the user's own session sees all of them.
        var kept = await turns.ListAsync(caller.UserId,
            caller.Assistants is null ? null : turn => turn.AssistantId is { } id && caller.CanUseAssistant(id), cancellationToken);
        var (page, hasMore) = list.PageOf(kept, t => t.Turn.Id, t => t.Number);
        var data = page.Select(t => t.Turn).ToList();
        return TypedResults.Ok(new TurnList("list", data, data.FirstOrDefault()?.Id, data.LastOrDefault()?.Id, hasMore));
    }

    /// <summary>The caller's own assistant (and in its key's scope); anything else is answered as if it did not exist.</summary>
    internal static async Task<string> RequireAssistantAsync(CallerIdentity caller, string? assistantId, AssistantAccess access,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(assistantId))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "assistant_id is required.", "Bad request", "missing_assistant_id");
        }
        await access.EnsureAsync(caller, assistantId, cancellationToken);
        return assistantId;
    }

    private static SpeechFormat ParseFormat(string? value) =>
        SpeechFormats.TryParse(value, out var format)
            ? format
            : throw new ApiException(StatusCodes.Status400BadRequest, $"response_format '{value}' is not one of mp3, opus, aac, flac, wav, pcm.", "Bad request", "invalid_response_format");

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;

#pragma warning disable CS1998 // One element, already known: nothing to await.
    private static async IAsyncEnumerable<string> Once(string text)
    {
        yield return text;
    }
#pragma warning restore CS1998
}

public sealed record SpeakRequest(string? Text, string? Prompt, string? AssistantId, string? ThreadId, string? Voice, string? ResponseFormat, double? Speed);

public sealed record TurnList(string Object, IReadOnlyList<VoiceTurn> Data, string? FirstId, string? LastId, bool HasMore);

/// <summary>What the voice routes need, gathered so the handlers' signatures stay short.</summary>
public sealed class VoiceServices(
    RecordingReader recordings,
    VocabularyProvider vocabulary,
    ISpeechToText speechToText,
    ITextToSpeech speech,
    ChatAnswerClient chat,
    VoiceTurnRunner runner,
    AssistantAccess access,
    Microsoft.Extensions.Options.IOptions<VoiceOptions> options)
{
    public AssistantAccess Access { get; } = access;
    public RecordingReader Recordings { get; } = recordings;
    public VocabularyProvider Vocabulary { get; } = vocabulary;
    public ISpeechToText SpeechToText { get; } = speechToText;
    public ITextToSpeech Speech { get; } = speech;
    public ChatAnswerClient Chat { get; } = chat;
    public VoiceTurnRunner Runner { get; } = runner;
    public Microsoft.Extensions.Options.IOptions<VoiceOptions> Options { get; } = options;
}
