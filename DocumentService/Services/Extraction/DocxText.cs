using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using ServiceDefaults.Errors;

namespace DocumentService.Services.Extraction;

/// <summary>
/// The paragraphs of a Word document (tables included), one paragraph each. The zip is checked before OpenXml sees
/// it: too many parts, too much expanded data or too high a compression ratio is a zip bomb and is refused.
/// </summary>
public static class DocxText
{
    private const int MaxEntries = 2000;

    public static string ToPlainText(string filename, byte[] content, DocumentsOptions options)
    {
        if (content.Length < 4 || content[0] != (byte)'P' || content[1] != (byte)'K')
        {
            throw TextExtractor.Unreadable($"'{filename}' is not a valid docx file (not a zip package).");
        }
        try
        {
            GuardAgainstZipBomb(filename, content, options);
            using var stream = new MemoryStream(content, writable: false);
            using var document = WordprocessingDocument.Open(stream, false);
            var body = document.MainDocumentPart?.Document?.Body
                ?? throw TextExtractor.Unreadable($"'{filename}' is not a valid docx file (no document body).");
            var builder = new StringBuilder();
            foreach (var paragraph in body.Descendants<Paragraph>())
            {
                var text = paragraph.InnerText.Trim();
                if (text.Length > 0)
                {
                    builder.Append(text).Append("\n\n");
                }
            }
            return TextExtractor.Normalize(builder.ToString());
        }
        catch (Exception ex) when (ex is not ApiException and not OperationCanceledException)
        {
            // The exception's name and text describe OpenXml's insides, not what is wrong with the file.
            throw TextExtractor.Unreadable($"'{filename}' is not a valid docx file (damaged, or not a Word document).");
        }
    }

    /// <summary>
    /// Declared sizes can lie, so every part is inflated through a counter that stops at the budget: the real
    /// expansion is measured, never trusted.
    /// </summary>
    private static void GuardAgainstZipBomb(string filename, byte[] content, DocumentsOptions options)
    {
        using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
        if (zip.Entries.Count > MaxEntries)
        {
            throw Bomb(filename, $"it has {zip.Entries.Count} parts");
        }

        var budget = options.MaxDocxExpandedBytes;
        var buffer = new byte[81920];
        foreach (var entry in zip.Entries)
        {
            long expanded = 0;
            using var part = entry.Open();
            int read;
            while ((read = part.Read(buffer, 0, buffer.Length)) > 0)
            {
                expanded += read;
                budget -= read;
                if (budget < 0)
                {
                    throw Bomb(filename, $"it expands beyond {options.MaxDocxExpandedBytes} bytes");
                }
                // Small XML parts compress well legitimately; a large part at an extreme ratio does not occur in Word files.
                if (expanded > 1024 * 1024 && expanded > (long)options.MaxDocxCompressionRatio * Math.Max(entry.CompressedLength, 1))
                {
                    throw Bomb(filename, $"part '{entry.FullName}' is compressed more than {options.MaxDocxCompressionRatio}:1");
                }
            }
        }
    }

    private static ApiException Bomb(string filename, string why) => new(
        StatusCodes.Status422UnprocessableEntity,
        $"'{filename}' was refused as a zip bomb: {why}.",
        "Unprocessable document", "zip_bomb");
}
