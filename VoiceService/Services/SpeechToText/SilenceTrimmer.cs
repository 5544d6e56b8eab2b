using System.Buffers.Binary;

namespace VoiceService.Services.SpeechToText;

/// <summary>
/// Cuts the silence before and after speech from a 16-bit PCM WAV. A grammar decoder without fillers must spend
/// every frame on some word, so trailing silence came out as an invented "is paid" or "per year" at the end of a
/// question; without it the words stop where the speaker did. Own code because it is a few lines over the samples
/// (sox would do it as one more process and one more dependency per request).
/// </summary>
internal static class SilenceTrimmer
{
    private const int WindowMilliseconds = 10;
    private const int PaddingWindows = 5;

    /// <summary>A window counts as sound when its loudest sample reaches this share of full scale (sox's 0.5%).</summary>
    private const double Threshold = 0.005;

    public static byte[] Trim(byte[] wav)
    {
        if (!TryFindData(wav, out var channels, out var rate, out var bits, out var dataStart, out var dataLength) || bits != 16)
        {
            return wav;
        }
        var frameBytes = 2 * channels;
        var window = Math.Max(1, rate * WindowMilliseconds / 1000) * frameBytes;
        var windows = dataLength / window;
        var limit = (int)(short.MaxValue * Threshold);
        int first = -1, last = -1;
        for (var w = 0; w < windows; w++)
        {
            var loud = false;
            for (var i = dataStart + w * window; i < dataStart + (w + 1) * window && !loud; i += 2)
            {
                loud = Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(i, 2))) >= limit;
            }
            if (loud)
            {
                first = first < 0 ? w : first;
                last = w;
            }
        }
        if (first < 0)
        {
            return wav; // All silence: nothing to keep, and the decoder says so itself.
        }
        var from = dataStart + Math.Max(0, first - PaddingWindows) * window;
        var to = Math.Min(dataStart + dataLength, dataStart + (last + 1 + PaddingWindows) * window);
        var trimmed = new byte[dataStart + (to - from)];
        wav.AsSpan(0, dataStart).CopyTo(trimmed);
        wav.AsSpan(from, to - from).CopyTo(trimmed.AsSpan(dataStart));
        BinaryPrimitives.WriteInt32LittleEndian(trimmed.AsSpan(4, 4), trimmed.Length - 8);
        BinaryPrimitives.WriteInt32LittleEndian(trimmed.AsSpan(dataStart - 4, 4), to - from);
        return trimmed;
    }

    private static bool TryFindData(byte[] wav, out int channels, out int rate, out int bits, out int dataStart, out int dataLength)
    {
        (channels, rate, bits, dataStart, dataLength) = (0, 0, 0, 0, 0);
        if (wav.Length < 12 || !wav.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !wav.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            return false;
        }
        var position = 12;
        while (position + 8 <= wav.Length)
        {
            var id = wav.AsSpan(position, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(position + 4, 4));
            if (id.SequenceEqual("fmt "u8) && position + 24 <= wav.Length)
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(position + 10, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(position + 12, 4));
                bits = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(position + 22, 2));
            }
            else if (id.SequenceEqual("data"u8))
            {
                dataStart = position + 8;
                // ffmpeg writing to a pipe leaves the size unknown (0 or -1): the data runs to the end.
                dataLength = size <= 0 || dataStart + size > wav.Length ? wav.Length - dataStart : size;
                return channels > 0 && rate > 0;
            }
            if (size < 0)
            {
                return false;
            }
            position += 8 + size + (size & 1);
        }
        return false;
    }
}
