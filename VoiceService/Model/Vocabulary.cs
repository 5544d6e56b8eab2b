namespace VoiceService.Model;

/// <summary>
/// What an assistant's users are likely to say: whole phrases (its intents' examples) and single terms (frequent
/// words of its documents). Recognition is biased towards them.
/// </summary>
public sealed record Vocabulary(IReadOnlyList<string> Phrases, IReadOnlyList<string> Terms)
{
    public static readonly Vocabulary Empty = new([], []);

    public bool IsEmpty => Phrases.Count == 0 && Terms.Count == 0;
}

/// <summary>An accepted recording: the upload as sent, and the same sound as 16 kHz mono WAV.</summary>
public sealed record Recording(byte[] Original, string Format, byte[] Wav);
