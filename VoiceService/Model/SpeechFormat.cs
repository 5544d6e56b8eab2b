namespace VoiceService.Model;

/// <summary>Speech output formats, named as OpenAI's /v1/audio/speech names them.</summary>
public enum SpeechFormat
{
    Mp3,
    Opus,
    Aac,
    Flac,
    Wav,
    Pcm,
}

public static class SpeechFormats
{
    public static bool TryParse(string? value, out SpeechFormat format)
    {
        format = SpeechFormat.Mp3;
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "mp3": format = SpeechFormat.Mp3; return true;
            case "opus": format = SpeechFormat.Opus; return true;
            case "aac": format = SpeechFormat.Aac; return true;
            case "flac": format = SpeechFormat.Flac; return true;
            case "wav": format = SpeechFormat.Wav; return true;
            case "pcm": format = SpeechFormat.Pcm; return true;
            default: return false;
        }
    }

    public static string Name(this SpeechFormat format) => format.ToString().ToLowerInvariant();

    public static string ContentType(this SpeechFormat format) => format switch
    {
        SpeechFormat.Mp3 => "audio/mpeg",
        SpeechFormat.Opus => "audio/ogg",
        SpeechFormat.Aac => "audio/aac",
        SpeechFormat.Flac => "audio/flac",
        SpeechFormat.Wav => "audio/wav",
        _ => "audio/pcm",
    };
}

/// <summary>Synthesised speech for one piece of text.</summary>
public sealed record SpeechAudio(byte[] Data, SpeechFormat Format);
