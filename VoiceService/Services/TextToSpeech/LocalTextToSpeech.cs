using Microsoft.Extensions.Options;
using static System.FormattableString;
using VoiceService.Services.Audio;

namespace VoiceService.Services.TextToSpeech;

/// <summary>espeak-ng or flite, both of which write WAV; ffmpeg re-encodes when another format is asked for.</summary>
public sealed class LocalTextToSpeech(IOptions<VoiceOptions> options, AudioConverter converter) : ITextToSpeech
{
    private readonly LocalEngineOptions _options = options.Value.Local;

    /// <summary>espeak-ng's pace at speed 1, in words a minute; it speaks from 80 to 450.</summary>
    private const int EspeakWordsPerMinute = 170;

    public async Task<SpeechAudio> SynthesizeAsync(string text, string? voice, SpeechFormat format, double speed, CancellationToken cancellationToken)
    {
        var result = _options.Synthesizer == "flite"
            // The text is an argument of -t, never parsed as an option; the voice only from a fixed list.
            ? await ProcessRunner.RunAsync("flite",
                ["-voice", FliteVoice(voice), "--setf", Invariant($"duration_stretch={1 / speed:0.###}"), "-t", text, "-o", "/dev/stdout"],
                ReadOnlyMemory<byte>.Empty, _options.ProcessTimeout, cancellationToken).ConfigureAwait(false)
            // Text on stdin, so nothing in it can be read as an option.
            : await ProcessRunner.RunAsync("espeak-ng",
                ["--stdout", "-v", EspeakVoice(voice), "-s", Invariant($"{Math.Clamp((int)Math.Round(EspeakWordsPerMinute * speed), 80, 450)}")],
                System.Text.Encoding.UTF8.GetBytes(text), _options.ProcessTimeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 || !Wav.TryRead(result.Output, out _))
        {
            throw new InvalidOperationException($"{_options.Synthesizer} failed ({result.ExitCode}): {result.Errors}");
        }
        var data = await converter.FromWavAsync(result.Output, format, cancellationToken).ConfigureAwait(false);
        return new SpeechAudio(data, format);
    }

    // OpenAI's voice names map onto a few distinct local voices, so a client's choice still makes a difference.
    private static string EspeakVoice(string? voice) => voice?.ToLowerInvariant() switch
    {
        "nova" or "shimmer" or "coral" or "sage" or "marin" => "en-us+f3",
        "fable" => "en-gb",
        "onyx" or "ash" or "cedar" => "en-us+m3",
        "echo" or "ballad" => "en-us+m5",
        "alloy" or "verse" => "en-us+f2",
        _ => "en-us",
    };

    private static string FliteVoice(string? voice) => voice?.ToLowerInvariant() switch
    {
        "nova" or "shimmer" or "coral" or "sage" or "alloy" or "marin" => "slt",
        "onyx" or "echo" or "ash" or "cedar" => "rms",
        "fable" => "awb",
        _ => "kal16",
    };
}
