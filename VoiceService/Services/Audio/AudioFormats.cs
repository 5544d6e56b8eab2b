namespace VoiceService.Services.Audio;

/// <summary>The recording formats accepted for recognition, told apart by their first bytes.</summary>
public static class AudioFormats
{
    public static readonly IReadOnlyList<string> Accepted = ["wav", "mp3", "ogg", "webm"];

    /// <summary>What the name or the declared media type claims; null when neither says anything useful.</summary>
    public static string? Declared(string? fileName, string? contentType)
    {
        var type = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var fromType = type switch
        {
            "audio/wav" or "audio/x-wav" or "audio/wave" or "audio/vnd.wave" => "wav",
            "audio/mpeg" or "audio/mp3" or "audio/mpeg3" => "mp3",
            "audio/ogg" or "audio/opus" or "application/ogg" => "ogg",
            "audio/webm" or "video/webm" => "webm",
            null or "" or "application/octet-stream" => null,
            _ => "other",
        };
        if (fromType is not null)
        {
            return fromType;
        }
        var extension = Path.GetExtension(fileName ?? "").TrimStart('.').ToLowerInvariant();
        return extension switch
        {
            "" => null,
            "wav" or "wave" => "wav",
            "mp3" or "mpga" or "mpeg" => "mp3",
            "ogg" or "oga" or "opus" => "ogg",
            "webm" => "webm",
            _ => "other",
        };
    }

    /// <summary>The format the bytes themselves show, or null when they are none of the accepted ones.</summary>
    public static string? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WAVE"u8))
        {
            return "wav";
        }
        if (data.Length >= 4 && data[..4].SequenceEqual("OggS"u8))
        {
            return "ogg";
        }
        if (data.Length >= 4 && data[0] == 0x1A && data[1] == 0x45 && data[2] == 0xDF && data[3] == 0xA3)
        {
            return "webm";
        }
        if (data.Length >= 3 && data[..3].SequenceEqual("ID3"u8))
        {
            return "mp3";
        }
        // An MPEG audio frame starts with 11 set sync bits, then a layer other than "reserved".
        if (data.Length >= 2 && data[0] == 0xFF && (data[1] & 0xE0) == 0xE0 && (data[1] & 0x06) != 0)
        {
            return "mp3";
        }
        return null;
    }
}
