using ServiceDefaults.Identity;
using VoiceService.Services.Turns;

namespace VoiceService.Services.Answers;

/// <summary>
/// Runs the spoken half of a turn: streams the answer's text through the speaker into the chosen output, then
/// writes the done event and the turn record, also when the client went away (status "cancelled"), the answer
/// broke off ("failed") or chat-service cut it at its token cap ("incomplete": spoken as far as it went, and the done
/// event says why, as OpenAI's incomplete_details do).
/// </summary>
public sealed partial class VoiceTurnRunner(AnswerSpeaker speaker, TurnStore turns, TimeProvider time, ILogger<VoiceTurnRunner> logger)
{
    public sealed record Turn(string Kind, string? AssistantId, string? Transcript, string? Voice, SpeechFormat SseFormat, double Speed = 1.0);

    /// <param name="cut">Asked once the answer is spoken: did its source stop it at a token cap?</param>
    public async Task RunAsync(HttpContext context, CallerIdentity caller, Turn turn, TurnClock clock,
        IAsyncEnumerable<string> answer, Func<bool>? cut, CancellationToken cancellationToken)
    {
        var output = VoiceOutput.For(context, turn.SseFormat, clock);
        var id = "turn_" + Guid.NewGuid().ToString("N")[..24];
        var status = "completed";
        AnswerSpeaker.Outcome outcome = new("", 0);
        try
        {
            await output.StartAsync(turn.Transcript, cancellationToken).ConfigureAwait(false);
            outcome = await speaker.SpeakAsync(answer, turn.Voice, turn.Speed, output.Format, output.SendAsync, clock, cancellationToken).ConfigureAwait(false);
            if (cut?.Invoke() == true)
            {
                status = "incomplete";
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested || ex is IOException)
        {
            status = "cancelled";
            LogClientGone(logger, id);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TimeoutException or System.Text.Json.JsonException)
        {
            status = "failed";
            LogFailed(logger, ex, id);
            await output.FailAsync("The answer broke off; try again.", CancellationToken.None).ConfigureAwait(false);
        }

        var record = new VoiceTurn(id, time.GetUtcNow().ToUnixTimeSeconds(), turn.Kind, turn.AssistantId, turn.Transcript,
            outcome.Text.Length, outcome.Sentences, status, clock.SttMs, clock.LlmTtftMs, clock.FirstSentenceMs,
            clock.TtsFirstMs, clock.TtfaMs, TurnClock.Round(clock.Now));
        if (status is "completed" or "incomplete")
        {
            await FinishQuietlyAsync(output, new
            {
                turn_id = id,
                status,
                incomplete_details = status == "incomplete" ? new { reason = "max_tokens" } : null,
                transcript = turn.Transcript,
                text = outcome.Text,
                sentences = outcome.Sentences,
                timings = new
                {
                    stt_ms = record.SttMs,
                    llm_ttft_ms = record.LlmTtftMs,
                    first_sentence_ms = record.FirstSentenceMs,
                    tts_first_ms = record.TtsFirstMs,
                    ttfa_ms = record.TtfaMs,
                    total_ms = record.TotalMs,
                },
            }).ConfigureAwait(false);
        }
        // The record outlives the request: a client that hung up still leaves its turn behind.
        await turns.SaveAsync(caller.UserId, record, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task FinishQuietlyAsync(VoiceOutput output, object done)
    {
        try
        {
            await output.FinishAsync(done, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // The client left just as the answer ended; the turn record still says what happened.
            LogClientGone(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice turn {TurnId}: the client went away; the pipeline stopped")]
    private static partial void LogClientGone(ILogger logger, string turnId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Voice turn {TurnId} broke off")]
    private static partial void LogFailed(ILogger logger, Exception exception, string turnId);
}
