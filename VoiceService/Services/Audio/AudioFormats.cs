namespace VoiceService.Services.Audio;

/// <summary>
/// The recording formats accepted for recognition, told apart by their first bytes. The names are the formats as
/// recognition knows them (wav, mp3, ogg, webm, flac, mp4), which are also AWS Transcribe's `MediaFormat` values;
/// m4a is mp4 (the same container) and mpeg/mpga are mp3.
/// </summary>
public static class AudioFormats
{
    /// <summary>What a client may send, by OpenAI's names for them.</summary>
    public static readonly IReadOnlyList<string> Accepted = ["flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"];

    /// <summary>What the name or the declared media type claims; null when neither says anything useful.</summary>
    public static string? Declared(string? fileName, string? contentType)
    {
        var type = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var fromType = type switch
        {
            "audio/wav" or "audio/x-wav" or "audio/wave" or "audio/vnd.wave" => "wav",
            "audio/mpeg" or "audio/mp3" or "audio/mpeg3" or "audio/mpga" => "mp3",
            "audio/ogg" or "audio/opus" or "application/ogg" => "ogg",
            "audio/webm" or "video/webm" => "webm",
            "audio/flac" or "audio/x-flac" => "flac",
            "audio/mp4" or "audio/m4a" or "audio/x-m4a" or "video/mp4" => "mp4",
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
            "flac" => "flac",
            "m4a" or "mp4" => "mp4",
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
        if (data.Length >= 4 && data[..4].SequenceEqual("fLaC"u8))
        {
            return "flac";
        }
        // An ISO media file (mp4, m4a) opens with its 'ftyp' box: a 4-byte size, then the type.
        if (data.Length >= 8 && data[4..8].SequenceEqual("ftyp"u8))
        {
            return "mp4";
        }
        if (data.Length >= 10 && data[..3].SequenceEqual("ID3"u8))
        {
            // An ID3v2 tag leads mp3s, and some FLACs too: what follows the tag decides.
            var tagged = 10 + SyncSafe(data[6..10]);
            return tagged + 4 <= data.Length && data.Slice(tagged, 4).SequenceEqual("fLaC"u8) ? "flac" : "mp3";
        }
        // An MPEG audio frame starts with 11 set sync bits, then a layer other than "reserved".
        if (data.Length >= 2 && data[0] == 0xFF && (data[1] & 0xE0) == 0xE0 && (data[1] & 0x06) != 0)
        {
            return "mp3";
        }
        return null;
    }

    /// <summary>ID3v2's sizes keep 7 bits a byte, so no byte of them looks like an MPEG sync.</summary>
    private static int SyncSafe(ReadOnlySpan<byte> size) =>
        (size[0] & 0x7F) << 21 | (size[1] & 0x7F) << 14 | (size[2] & 0x7F) << 7 | (size[3] & 0x7F);
}
