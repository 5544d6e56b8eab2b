using System.Diagnostics;

namespace VoiceService.Services.Answers;

/// <summary>Marks the moments of one voice turn, measured from the moment its request arrived.</summary>
public sealed class TurnClock
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long? _answerRequested;

    public double? SttMs { get; private set; }
    public double? LlmTtftMs { get; private set; }
    public double? FirstSentenceMs { get; private set; }
    public double? TtsFirstMs { get; private set; }
    public double? TtfaMs { get; private set; }

    public double Now => Stopwatch.GetElapsedTime(_start).TotalMilliseconds;

    public void RecognitionDone(double milliseconds) => SttMs = Round(milliseconds);

    public void AnswerRequested() => _answerRequested = Stopwatch.GetTimestamp();

    public void FirstText() => LlmTtftMs ??= SinceAnswerRequested();

    public void FirstSentence() => FirstSentenceMs ??= SinceAnswerRequested();

    public void FirstSynthesis(double milliseconds) => TtsFirstMs ??= Round(milliseconds);

    public void FirstAudioSent() => TtfaMs ??= Round(Now);

    private double? SinceAnswerRequested() =>
        _answerRequested is { } at ? Round(Stopwatch.GetElapsedTime(at).TotalMilliseconds) : null;

    public static double Round(double milliseconds) => Math.Round(milliseconds, 1);
}
