using System.ComponentModel.DataAnnotations;

namespace VoiceService;

/// <summary>Settings under "Voice". Nothing configured means the local engines (pocketsphinx, espeak-ng).</summary>
public sealed class VoiceOptions
{
    public const string SectionName = "Voice";

    /// <summary>"local" (pocketsphinx) or "aws" (Transcribe).</summary>
    [RegularExpression("^(local|aws)$")]
    public string SpeechToText { get; set; } = "local";

    /// <summary>"local" (espeak-ng or flite) or "aws" (Polly).</summary>
    [RegularExpression("^(local|aws)$")]
    public string TextToSpeech { get; set; } = "local";

    /// <summary>Largest accepted upload.</summary>
    [Range(1024, 200 * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Longest accepted recording; longer ones are refused before recognition.</summary>
    [Range(1, 3600)]
    public int MaxAudioSeconds { get; set; } = 120;

    /// <summary>Longest text /speak and /v1/audio/speech accept (OpenAI's limit).</summary>
    [Range(1, 100_000)]
    public int MaxSpeechInputChars { get; set; } = 4096;

    /// <summary>A sentence longer than this is cut at a word boundary so a run-on answer still starts speaking early.</summary>
    [Range(40, 2000)]
    public int SentenceMaxChars { get; set; } = 220;

    /// <summary>
    /// The first piece of an answer may end at a comma (or semicolon, colon) once it has this many characters, so the
    /// first audio comes sooner; 0 waits for the whole first sentence.
    /// </summary>
    [Range(0, 2000)]
    public int FirstClauseChars { get; set; } = 30;

    /// <summary>Sentences synthesised at the same time (speech for N runs while the model writes N+1).</summary>
    [Range(1, 16)]
    public int SynthesisConcurrency { get; set; } = 2;

    /// <summary>Turn records kept per user.</summary>
    [Range(1, 10_000)]
    public int TurnsKept { get; set; } = 100;

    [Required]
    public LocalEngineOptions Local { get; set; } = new();

    [Required]
    public AwsVoiceOptions Aws { get; set; } = new();
}

public sealed class LocalEngineOptions
{
    /// <summary>"espeak-ng" or "flite".</summary>
    [RegularExpression("^(espeak-ng|flite)$")]
    public string Synthesizer { get; set; } = "espeak-ng";

    [Required]
    public string FfmpegPath { get; set; } = "ffmpeg";

    [Required]
    public string PocketsphinxPath { get; set; } = "pocketsphinx_continuous";

    [Required]
    public string PocketsphinxModelDir { get; set; } = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>A recognition or synthesis process that runs longer than this is killed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ProcessTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an assistant's vocabulary (intents' examples, documents' terms) is reused.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan VocabularyCacheTime { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class AwsVoiceOptions
{
    [Required]
    public string Region { get; set; } = "us-east-1";

    /// <summary>An endpoint for every AWS call (moto, LocalStack); empty means AWS's regional endpoints.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Keys; empty means AWS's default credential chain (environment, profile, instance role).</summary>
    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public string? SessionToken { get; set; }

    /// <summary>Bucket the recordings are uploaded to for Transcribe.</summary>
    public string Bucket { get; set; } = "voice-service-recordings";

    public string LanguageCode { get; set; } = "en-US";

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TranscriptionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public string Voice { get; set; } = "Joanna";

    /// <summary>Polly engine: standard, neural, long-form or generative.</summary>
    [RegularExpression("^(standard|neural|long-form|generative)$")]
    public string Engine { get; set; } = "neural";
}
