using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace VoiceService.Services.Audio;

/// <summary>
/// Whether the local programs the configuration relies on are installed: ffmpeg always (every format change),
/// pocketsphinx and its model for local recognition, espeak-ng or flite for local speech. Missing ones make the service
/// degraded, not unhealthy: everything else it serves still works, and the platform must come up on a machine without
/// them (voice routes then answer 503 naming what to install).
/// </summary>
public sealed class LocalEnginesHealthCheck(IOptions<VoiceOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var voice = options.Value;
        var missing = new List<string>();
        Require(voice.Local.FfmpegPath, missing);
        if (voice.SpeechToText == "local")
        {
            Require(voice.Local.PocketsphinxPath, missing);
            if (!Directory.Exists(Path.Combine(voice.Local.PocketsphinxModelDir, "en-us")))
            {
                missing.Add(voice.Local.PocketsphinxModelDir);
            }
        }
        if (voice.TextToSpeech == "local")
        {
            Require(voice.Local.Synthesizer, missing);
        }
        return Task.FromResult(missing.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"missing: {string.Join(", ", missing)} (apt-get install ffmpeg pocketsphinx pocketsphinx-en-us espeak-ng flite)"));
    }

    private static void Require(string program, List<string> missing)
    {
        var found = Path.IsPathRooted(program)
            ? File.Exists(program)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, program)));
        if (!found)
        {
            missing.Add(program);
        }
    }
}
