namespace VoiceService.Services.TextToSpeech;

/// <summary>Speaks one piece of text (a sentence, usually) in the format asked for.</summary>
public interface ITextToSpeech
{
    Task<SpeechAudio> SynthesizeAsync(string text, string? voice, SpeechFormat format, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="voice"/> names a voice this engine speaks in (OpenAI's names, mapped).</summary>
    bool Speaks(string voice) => SpeechVoices.IsOpenAI(voice);
}
