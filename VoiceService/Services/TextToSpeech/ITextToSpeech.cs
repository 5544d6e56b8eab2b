namespace VoiceService.Services.TextToSpeech;

/// <summary>Speaks one piece of text (a sentence, usually) in the format asked for.</summary>
public interface ITextToSpeech
{
    Task<SpeechAudio> SynthesizeAsync(string text, string? voice, SpeechFormat format, CancellationToken cancellationToken) =>
        SynthesizeAsync(text, voice, format, 1.0, cancellationToken);

    /// <summary>At <paramref name="speed"/> times the engine's usual pace (OpenAI's 0.25 to 4.0).</summary>
    Task<SpeechAudio> SynthesizeAsync(string text, string? voice, SpeechFormat format, double speed, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="voice"/> names a voice this engine speaks in (OpenAI's names, mapped).</summary>
    bool Speaks(string voice) => SpeechVoices.IsOpenAI(voice);
}
