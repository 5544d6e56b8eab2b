using System.ComponentModel;
using System.Diagnostics;
using ServiceDefaults.Errors;

namespace VoiceService.Services.Audio;

/// <summary>
/// Runs a local engine (ffmpeg, pocketsphinx, espeak-ng, flite) with bytes in and bytes out. The process is killed
/// when the caller cancels (a client that went away) or when it overruns its time.
/// </summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, byte[] Output, string Errors);

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, ReadOnlyMemory<byte> input,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, $"{Path.GetFileName(fileName)} is not installed on this server.",
                "Service unavailable", "engine_unavailable");
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        using var kill = timer.Token.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        });

        var output = new MemoryStream();
        var readOutput = process.StandardOutput.BaseStream.CopyToAsync(output, CancellationToken.None);
        var readErrors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (!input.IsEmpty)
            {
                await process.StandardInput.BaseStream.WriteAsync(input, timer.Token).ConfigureAwait(false);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The engine stopped reading (it failed on bad input); its exit code and errors tell why.
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(readOutput, readErrors).ConfigureAwait(false);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (timer.IsCancellationRequested)
        {
            throw new TimeoutException($"{Path.GetFileName(fileName)} ran longer than {timeout.TotalSeconds:0} s.");
        }
        return new Result(process.ExitCode, output.ToArray(), await readErrors.ConfigureAwait(false));
    }
}

/// <summary>A local engine is not installed or cannot run.</summary>
public sealed class EngineUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
