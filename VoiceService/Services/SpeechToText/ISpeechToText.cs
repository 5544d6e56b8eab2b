namespace VoiceService.Services.SpeechToText;

/// <summary>Turns a recording into text, biased towards the words the assistant's users are likely to say.</summary>
public interface ISpeechToText
{
    Task<string> TranscribeAsync(Recording recording, Vocabulary vocabulary, CancellationToken cancellationToken);
}
