using System.Diagnostics;

namespace VoiceService.Tests;

/// <summary>Real recordings for the tests: espeak-ng speaks, ffmpeg changes the format.</summary>
internal static class TestAudio
{
    public static async Task<byte[]> SpeakAsync(string text, string format = "wav")
    {
        var wav = await RunAsync("espeak-ng", ["--stdout", "-v", "en-us", "-s", "150", text], []);
        if (format == "wav")
        {
            return wav;
        }
        if (format == "m4a")
        {
            return await ToMp4Async(wav, ["-c:a", "aac"]);
        }
        string[] codec = format switch
        {
            "mp3" => ["-c:a", "libmp3lame", "-f", "mp3"],
            "ogg" => ["-c:a", "libopus", "-f", "ogg"],
            "webm" => ["-c:a", "libopus", "-f", "webm"],
            "flac" => ["-c:a", "flac", "-f", "flac"],
            "aac" => ["-c:a", "aac", "-f", "adts"],
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return await RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", "pipe:0", .. codec, "pipe:1"], wav);
    }

    /// <summary>
    /// The text spoken over a moving test picture, as a camera's mp4: the index ('moov') after well over 64 kB of
    /// audio and video, which ffmpeg can reach only by seeking.
    /// </summary>
    public static async Task<byte[]> SpeakInVideoAsync(string text)
    {
        var wav = await SpeakAsync(text);
        return await ToMp4Async(wav, ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-shortest", "-c:v", "mpeg4", "-b:v", "1M", "-c:a", "aac"]);
    }

    /// <summary>An mp4 as most writers make it: a file, its index written last (an mp4 cannot be written to a pipe so).</summary>
    private static async Task<byte[]> ToMp4Async(byte[] wav, string[] arguments)
    {
        using var directory = TestDirectory.Create("mp4-");
        var path = Path.Combine(directory.Path, "audio.mp4");
        await RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", "pipe:0", .. arguments, path], wav);
        return await File.ReadAllBytesAsync(path);
    }

    /// <summary>The text spoken by one of the synthetic voices: "espeak-ng:en-us", "flite:slt" and the like.</summary>
    public static async Task<byte[]> SpeakWithAsync(string voice, string text)
    {
        var (engine, name) = (voice[..voice.IndexOf(':')], voice[(voice.IndexOf(':') + 1)..]);
        if (engine == "espeak-ng")
        {
            return await RunAsync("espeak-ng", ["--stdout", "-v", name, "-s", "150", text], []);
        }
        using var directory = TestDirectory.Create("flite-");
        var path = Path.Combine(directory.Path, "speech.wav");
        await RunAsync("flite", ["-voice", name, "-t", text, "-o", path], []);
        return await File.ReadAllBytesAsync(path);
    }

    /// <summary>Silence of the given length as 16 kHz WAV.</summary>
    public static Task<byte[]> SilenceAsync(int seconds) =>
        RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", $"anullsrc=r=16000:cl=mono", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "wav", "pipe:1"], []);

    /// <summary>How long a piece of audio plays: ffmpeg decodes it all (so it must be valid) to 16 kHz 16-bit samples.</summary>
    public static async Task<double> DurationSecondsAsync(byte[] audio)
    {
        var samples = await RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "16000", "pipe:1"], audio);
        return samples.Length / 32000.0;
    }

    private static async Task<byte[]> RunAsync(string file, string[] arguments, byte[] input)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
        await Task.WhenAll(copy, errors);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {await errors}");
        }
        return output.ToArray();
    }
}
