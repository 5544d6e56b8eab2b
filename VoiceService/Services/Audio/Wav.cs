using System.Buffers.Binary;

namespace VoiceService.Services.Audio;

/// <summary>Just enough of RIFF/WAVE to find the samples, and to write one header for a stream of unknown length.</summary>
public readonly record struct Wav(int SampleRate, int Channels, int BitsPerSample, int DataOffset, int DataLength)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)DataLength / Math.Max(1, SampleRate * Channels * BitsPerSample / 8));

    public static bool TryRead(ReadOnlySpan<byte> data, out Wav wav)
    {
        wav = default;
        if (data.Length < 12 || !data[..4].SequenceEqual("RIFF"u8) || !data[8..12].SequenceEqual("WAVE"u8))
        {
            return false;
        }
        int? rate = null, channels = null, bits = null;
        var position = 12;
        while (position + 8 <= data.Length)
        {
            var id = data.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(position + 4, 4));
            var body = position + 8;
            if (id.SequenceEqual("fmt "u8) && body + 16 <= data.Length)
            {
                channels = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 2, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(body + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 14, 2));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (rate is null || channels is null || bits is null)
                {
                    return false;
                }
                // Streamed WAVs (ffmpeg and espeak-ng writing to a pipe) carry a placeholder size: take what is there.
                var length = (int)Math.Min(size, (uint)(data.Length - body));
                wav = new Wav(rate.Value, channels.Value, bits.Value, body, length);
                return true;
            }
            position = body + (int)Math.Min(size + (size & 1), int.MaxValue - body);
        }
        return false;
    }

    /// <summary>A 44-byte header whose sizes say "until the stream ends", for sentences written one after another.</summary>
    public static byte[] StreamingHeader(int sampleRate, int channels = 1, int bitsPerSample = 16)
    {
        var header = new byte[44];
        var span = header.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], uint.MaxValue);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * channels * bitsPerSample / 8);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(channels * bitsPerSample / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)bitsPerSample);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], uint.MaxValue);
        return header;
    }

    /// <summary>A complete WAV around raw 16-bit samples.</summary>
    public static byte[] FromPcm(ReadOnlySpan<byte> pcm, int sampleRate)
    {
        var header = StreamingHeader(sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(36 + pcm.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)pcm.Length);
        return [.. header, .. pcm];
    }
}
