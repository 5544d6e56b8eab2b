namespace VoiceService.Model;

/// <summary>
/// One voice turn and where its time went. Every figure is milliseconds: stt_ms is recognition (decoding included),
/// llm_ttft_ms and first_sentence_ms count from the moment the answer was requested, tts_first_ms is the synthesis
/// of the first sentence, ttfa_ms and total_ms count from the moment the request arrived.
/// </summary>
public sealed record VoiceTurn(
    string Id,
    long CreatedAt,
    string Kind,
    string? AssistantId,
    string? Transcript,
    int AnswerChars,
    int Sentences,
    string Status,
    double? SttMs,
    double? LlmTtftMs,
    double? FirstSentenceMs,
    double? TtsFirstMs,
    double? TtfaMs,
    double TotalMs);
