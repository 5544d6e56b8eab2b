namespace VoiceService.Services.SpeechToText;

/// <summary>Turns a recording into text, biased towards the words the assistant's users are likely to say.</summary>
public interface ISpeechToText
{
    Task<string> TranscribeAsync(Recording recording, Vocabulary vocabulary, CancellationToken cancellationToken);

    /// <summary>The language it hears, as ISO-639-1 (OpenAI's `language`).</summary>
    string Language { get; }
}
