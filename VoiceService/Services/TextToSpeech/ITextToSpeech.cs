namespace VoiceService.Services.TextToSpeech;

/// <summary>Speaks one piece of text (a sentence, usually) in the format asked for.</summary>
public interface ITextToSpeech
{
    Task<SpeechAudio> SynthesizeAsync(string text, string? voice, SpeechFormat format, CancellationToken cancellationToken);
}
