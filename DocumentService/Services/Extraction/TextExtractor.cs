using System.Text;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;

namespace DocumentService.Services.Extraction;

public sealed record ExtractedText(FileFormat Format, string ContentType, string Text);

/// <summary>
/// Turns an uploaded file into plain text. Unknown types and binary content are refused with 415; a file of a known
/// type that cannot be read (corrupt, a zip bomb, no text at all) with 422. Nothing is stored before this succeeds.
/// </summary>
public sealed class TextExtractor(IOptions<DocumentsOptions> options, PdfTextReader pdf)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task<ExtractedText> ExtractAsync(string filename, string? mediaType, byte[] content, CancellationToken cancellationToken)
    {
        var format = FileFormats.Detect(filename, mediaType) ?? throw new ApiException(
            StatusCodes.Status415UnsupportedMediaType,
            $"'{filename}' is not a supported document type. Supported: {FileFormats.Supported}.",
            "Unsupported media type", "unsupported_file_type");

        var text = format switch
        {
            FileFormat.Text => Normalize(DecodeText(filename, content)),
            FileFormat.Markdown => MarkdownText.ToPlainText(DecodeText(filename, content)),
            FileFormat.Html => HtmlText.ToPlainText(DecodeText(filename, content)),
            FileFormat.Json => JsonText.ToPlainText(filename, DecodeText(filename, content)),
            FileFormat.Csv => CsvText.ToPlainText(DecodeText(filename, content)),
            FileFormat.Docx => DocxText.ToPlainText(filename, content, options.Value),
            _ => await pdf.ReadAsync(filename, content, cancellationToken).ConfigureAwait(false),
        };
        if (text.Length > options.Value.MaxTextChars)
        {
            throw TooMuchText(filename, options.Value.MaxTextChars);
        }
        // A JSON document's \u0000 or a PDF's odd glyph: no reader wants a NUL, and PostgreSQL's text cannot store one.
        text = text.Replace("\0", string.Empty, StringComparison.Ordinal);

        if (string.IsNullOrWhiteSpace(text))
        {
            throw Unreadable($"'{filename}' contains no text.");
        }
        return new ExtractedText(format, FileFormats.ContentType(format), text);
    }

    /// <summary>
    /// The cheap part of <see cref="ExtractAsync"/>, run before anything else is asked (whose assistant it is, say):
    /// a type that is not supported is a 415, a PDF or DOCX whose bytes are not one a 422, binary "text" a 415.
    /// </summary>
    public static void Sniff(string filename, string? mediaType, byte[] content)
    {
        var format = FileFormats.Detect(filename, mediaType) ?? throw new ApiException(
            StatusCodes.Status415UnsupportedMediaType,
            $"'{filename}' is not a supported document type. Supported: {FileFormats.Supported}.",
            "Unsupported media type", "unsupported_file_type");
        var bytes = content.AsSpan();
        switch (format)
        {
            case FileFormat.Pdf when !bytes.StartsWith("%PDF-"u8):
                throw Unreadable($"'{filename}' is not a PDF file.");
            case FileFormat.Docx when !bytes.StartsWith("PK\u0003\u0004"u8):
                throw Unreadable($"'{filename}' is not a DOCX file.");
            case FileFormat.Text or FileFormat.Markdown or FileFormat.Html or FileFormat.Json or FileFormat.Csv
                when bytes.IndexOf((byte)0) >= 0 || !System.Text.Unicode.Utf8.IsValid(bytes):
                throw Binary(filename);
        }
    }

    public static ApiException TooMuchText(string filename, int most) => new(
        StatusCodes.Status413RequestEntityTooLarge,
        $"'{filename}' holds more than {most:N0} characters of text once extracted; split it into smaller documents.",
        "Document too large", "document_too_large");

    public static ApiException Unreadable(string message) =>
        new(StatusCodes.Status422UnprocessableEntity, message, "Unprocessable document", "unreadable_file");

    /// <summary>Text formats must be UTF-8 (a BOM is dropped) with no NUL bytes; anything else is binary.</summary>
    private static string DecodeText(string filename, byte[] content)
    {
        var span = content.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }
        if (span.IndexOf((byte)0) >= 0)
        {
            throw Binary(filename);
        }
        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            throw Binary(filename);
        }
    }

    private static ApiException Binary(string filename) => new(
        StatusCodes.Status415UnsupportedMediaType,
        $"'{filename}' looks binary: text documents must be UTF-8 text.",
        "Unsupported media type", "unsupported_file_type");

    /// <summary>Line endings to \n, trailing spaces gone, runs of blank lines collapsed to one.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var blank = 0;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                blank++;
                continue;
            }
            if (builder.Length > 0)
            {
                builder.Append(blank > 0 ? "\n\n" : "\n");
            }
            blank = 0;
            builder.Append(line);
        }
        return builder.ToString();
    }
}
