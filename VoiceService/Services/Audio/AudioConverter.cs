using System.Globalization;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;

namespace VoiceService.Services.Audio;

/// <summary>ffmpeg for every change of format: recordings to 16 kHz mono WAV for recognition, speech to what the client asked for.</summary>
public sealed class AudioConverter(IOptions<VoiceOptions> options)
{
    public const int RecognitionSampleRate = 16_000;

    private readonly VoiceOptions _options = options.Value;

    /// <summary>
    /// Decodes a recording into 16 kHz mono 16-bit WAV. Audio ffmpeg cannot decode is a 400, a recording longer than
    /// the limit a 413, an empty one a 400.
    /// </summary>
    public async Task<byte[]> ToRecognitionWavAsync(byte[] recording, string format, CancellationToken cancellationToken)
    {
        // Decoding stops just past the limit, so an hour-long upload costs no more than a legal one.
        var limit = (_options.MaxAudioSeconds + 1).ToString(CultureInfo.InvariantCulture);
        var result = await DecodeAsync(recording, format, input =>
            ["-hide_banner", "-loglevel", "error", "-f", DemuxerFor(format), "-i", input, "-t", limit,
             "-vn", "-ac", "1", "-ar", RecognitionSampleRate.ToString(CultureInfo.InvariantCulture), "-c:a", "pcm_s16le", "-f", "wav", "pipe:1"],
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 || !Wav.TryRead(result.Output, out var wav))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"The upload is not decodable {format} audio.", "Invalid audio", "invalid_audio") { Param = "file" };
        }
        if (wav.Duration > TimeSpan.FromSeconds(_options.MaxAudioSeconds))
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge,
                $"The recording is longer than {_options.MaxAudioSeconds} seconds.", "Audio too long", "audio_too_long");
        }
        if (wav.Duration < TimeSpan.FromMilliseconds(100))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "The recording holds no sound.", "Empty audio", "empty_audio") { Param = "file" };
        }
        return result.Output;
    }

    /// <summary>Re-encodes a WAV into mp3, opus (ogg), aac, flac or raw 16-bit pcm.</summary>
    public async Task<byte[]> FromWavAsync(byte[] wav, SpeechFormat target, CancellationToken cancellationToken)
    {
        if (target == SpeechFormat.Wav)
        {
            return wav;
        }
        string[] codec = target switch
        {
            SpeechFormat.Mp3 => ["-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3"],
            SpeechFormat.Opus => ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"],
            SpeechFormat.Aac => ["-c:a", "aac", "-b:a", "48k", "-f", "adts"],
            SpeechFormat.Flac => ["-c:a", "flac", "-f", "flac"],
            SpeechFormat.Pcm => ["-c:a", "pcm_s16le", "-ar", "24000", "-ac", "1", "-f", "s16le"],
            _ => throw new ArgumentOutOfRangeException(nameof(target)),
        };
        var result = await ProcessRunner.RunAsync(_options.Local.FfmpegPath,
            ["-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", .. codec, "pipe:1"],
            wav, _options.Local.ProcessTimeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not encode {target}: {result.Errors}");
        }
        return result.Output;
    }

    /// <summary>
    /// Runs ffmpeg on the recording through a pipe, or for mp4 through a private temporary file: an mp4 often keeps
    /// its index (the 'moov' box) after the audio, and ffmpeg must seek back from it, which a pipe cannot do.
    /// </summary>
    private async Task<ProcessRunner.Result> DecodeAsync(byte[] recording, string format, Func<string, string[]> arguments, CancellationToken cancellationToken)
    {
        if (format != "mp4")
        {
            return await ProcessRunner.RunAsync(_options.Local.FfmpegPath, arguments("pipe:0"), recording,
                _options.Local.ProcessTimeout, cancellationToken).ConfigureAwait(false);
        }
        // Only this process's user can read the directory: the recording is someone's voice.
        var work = Directory.CreateTempSubdirectory("voice-decode-");
        try
        {
            var path = Path.Combine(work.FullName, "recording.mp4");
            await File.WriteAllBytesAsync(path, recording, cancellationToken).ConfigureAwait(false);
            return await ProcessRunner.RunAsync(_options.Local.FfmpegPath, arguments("file:" + path), ReadOnlyMemory<byte>.Empty,
                _options.Local.ProcessTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string DemuxerFor(string format) => format switch
    {
        "wav" => "wav",
        "mp3" => "mp3",
        "ogg" => "ogg",
        "webm" => "matroska",
        "flac" => "flac",
        // ffmpeg's one QuickTime/ISO demuxer ("mov,mp4,m4a,3gp,3g2,mj2") reads mp4 and m4a alike.
        "mp4" => "mov",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
