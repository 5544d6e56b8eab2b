using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace DocumentService.Services.Extraction;

/// <summary>
/// PDF text through poppler's `pdftotext` (no PDF library exists for .NET here). The file goes to a private temp
/// file, the tool runs with a timeout, and its output is read as UTF-8.
/// </summary>
public sealed partial class PdfTextReader(IOptions<DocumentsOptions> options, ILogger<PdfTextReader> logger)
{
    public async Task<string> ReadAsync(string filename, byte[] content, CancellationToken cancellationToken)
    {
        if (content.Length < 5 || content.AsSpan(0, Math.Min(content.Length, 1024)).IndexOf("%PDF-"u8) < 0)
        {
            throw TextExtractor.Unreadable($"'{filename}' is not a valid PDF file.");
        }

        var path = Path.Combine(Path.GetTempPath(), "docsvc-" + Guid.NewGuid().ToString("N") + ".pdf");
        try
        {
            // Inside the try: a cancelled write leaves a part of the file, which must go too.
            await File.WriteAllBytesAsync(path, content, cancellationToken).ConfigureAwait(false);
            var start = new ProcessStartInfo(options.Value.PdfToTextPath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = System.Text.Encoding.UTF8,
            };
            foreach (var argument in new[] { "-q", "-enc", "UTF-8", "-nopgbrk", path, "-" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start.");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.PdfToTextTimeout);
            var output = ReadAtMostAsync(process.StandardOutput, options.Value.MaxTextChars, timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                // The text is read first: past the cap the tool is stopped, not waited for.
                var text = await output.ConfigureAwait(false);
                if (text is null)
                {
                    process.Kill(entireProcessTree: true);
                    throw TextExtractor.TooMuchText(filename, options.Value.MaxTextChars);
                }
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                var complaint = await errors.ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    // The tool's own words are for the operator's log; the uploader learns what is wrong with the file.
                    LogRefused(logger, filename, process.ExitCode, complaint.Length > 500 ? complaint[..500] : complaint);
                    throw TextExtractor.Unreadable($"'{filename}' could not be read as PDF: it is damaged or not a PDF.");
                }
                return TextExtractor.Normalize(text);
            }
            catch (OperationCanceledException)
            {
                // Whether it overran or the caller went away, pdftotext must not go on reading a file that is gone.
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                throw TextExtractor.Unreadable($"'{filename}' took too long to read as PDF.");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The reader's text, or null once it runs past <paramref name="most"/> characters.</summary>
    private static async Task<string?> ReadAtMostAsync(StreamReader reader, int most, CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (text.Length + read > most)
            {
                return null;
            }
            text.Append(buffer, 0, read);
        }
        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pdftotext refused {Filename} with exit code {ExitCode}: {Complaint}")]
    private static partial void LogRefused(ILogger logger, string filename, int exitCode, string complaint);
}
