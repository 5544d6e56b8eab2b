using VoiceService.Services.Audio;
using ServiceDefaults.Errors;
using VoiceService.Services.Aws;

namespace VoiceService.Services.TextToSpeech;

/// <summary>
/// AWS Polly SynthesizeSpeech (POST /v1/speech). Polly makes mp3 itself; every other format starts from its 16 kHz
/// pcm, wrapped as WAV and re-encoded by ffmpeg when needed.
/// </summary>
public sealed class PollyTextToSpeech(AwsConnection aws, AudioConverter converter) : ITextToSpeech
{
    public const int PcmSampleRate = 16_000;

    public async Task<SpeechAudio> SynthesizeAsync(string text, string? voice, SpeechFormat format, double speed, CancellationToken cancellationToken)
    {
        var mp3 = format == SpeechFormat.Mp3;
        // Polly has no speed of its own: SSML's prosody rate (20% to 200%) says it.
        var ssml = speed != 1.0;
        var request = new Dictionary<string, object>
        {
            ["Text"] = ssml
                ? System.FormattableString.Invariant($"<speak><prosody rate=\"{Math.Clamp((int)Math.Round(speed * 100), 20, 200)}%\">{System.Security.SecurityElement.Escape(text)}</prosody></speak>")
                : text,
            ["TextType"] = ssml ? "ssml" : "text",
            ["VoiceId"] = PollyVoice(voice, aws.Options.Voice),
            ["Engine"] = aws.Options.Engine,
            ["OutputFormat"] = mp3 ? "mp3" : "pcm",
            ["SampleRate"] = mp3 ? "22050" : PcmSampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        byte[] audio;
        try
        {
            using var response = await aws.CallRestJsonAsync("polly", "/v1/speech", request, cancellationToken).ConfigureAwait(false);
            audio = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException)
        {
            throw new ApiException(StatusCodes.Status502BadGateway, "The speech service could not speak the text.", "Speech service failed");
        }
        if (mp3)
        {
            return new SpeechAudio(audio, format);
        }
        var wav = Wav.FromPcm(audio, PcmSampleRate);
        return new SpeechAudio(await converter.FromWavAsync(wav, format, cancellationToken).ConfigureAwait(false), format);
    }

    /// <summary>A Polly voice id (capitalised, as Polly spells them) is spoken too.</summary>
    public bool Speaks(string voice) => SpeechVoices.IsOpenAI(voice) || char.IsUpper(voice[0]);

    /// <summary>OpenAI's voice names map to Polly voices; a Polly voice id passes through unchanged.</summary>
    internal static string PollyVoice(string? voice, string fallback) => voice?.ToLowerInvariant() switch
    {
        null or "" => fallback,
        "alloy" => "Joanna",
        "echo" => "Matthew",
        "fable" => "Amy",
        "onyx" => "Joey",
        "nova" => "Salli",
        "shimmer" => "Kimberly",
        "ash" or "ballad" or "verse" => "Stephen",
        "coral" or "sage" or "marin" => "Ruth",
        "cedar" => "Gregory",
        _ => char.IsUpper(voice[0]) ? voice : fallback,
    };
}
