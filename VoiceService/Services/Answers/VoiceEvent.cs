namespace VoiceService.Services.Answers;

/// <summary>What a voice answer sends its client, in order.</summary>
public abstract record VoiceEvent;

public sealed record TextDeltaEvent(string Text) : VoiceEvent;

/// <summary>The speech for one sentence; <see cref="Sequence"/> counts from 0 in speaking order.</summary>
public sealed record AudioEvent(int Sequence, string Sentence, SpeechAudio Audio) : VoiceEvent;
