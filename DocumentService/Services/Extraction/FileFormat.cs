namespace DocumentService.Services.Extraction;

public enum FileFormat
{
    Text,
    Markdown,
    Html,
    Json,
    Csv,
    Docx,
    Pdf,
}

/// <summary>The formats the service reads, recognised by the file's extension and confirmed by its bytes.</summary>
public static class FileFormats
{
    private static readonly Dictionary<string, FileFormat> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = FileFormat.Text,
        [".text"] = FileFormat.Text,
        [".md"] = FileFormat.Markdown,
        [".markdown"] = FileFormat.Markdown,
        [".html"] = FileFormat.Html,
        [".htm"] = FileFormat.Html,
        [".json"] = FileFormat.Json,
        [".csv"] = FileFormat.Csv,
        [".docx"] = FileFormat.Docx,
        [".pdf"] = FileFormat.Pdf,
    };

    private static readonly Dictionary<string, FileFormat> ByMediaType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text/plain"] = FileFormat.Text,
        ["text/markdown"] = FileFormat.Markdown,
        ["text/html"] = FileFormat.Html,
        ["application/json"] = FileFormat.Json,
        ["text/csv"] = FileFormat.Csv,
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = FileFormat.Docx,
        ["application/pdf"] = FileFormat.Pdf,
    };

    public const string Supported = "txt, md, html, json, csv, docx, pdf";

    /// <summary>The extension decides; a client's media type is only used when the name has no extension.</summary>
    public static FileFormat? Detect(string filename, string? mediaType)
    {
        var extension = Path.GetExtension(filename);
        if (extension.Length > 0)
        {
            return ByExtension.TryGetValue(extension, out var byName) ? byName : null;
        }
        var media = mediaType?.Split(';')[0].Trim();
        return media is { Length: > 0 } && ByMediaType.TryGetValue(media, out var byType) ? byType : null;
    }

    /// <summary>The media type a download is served with: canonical for the format, never the client's word.</summary>
    public static string ContentType(FileFormat format) => format switch
    {
        FileFormat.Text => "text/plain; charset=utf-8",
        FileFormat.Markdown => "text/markdown; charset=utf-8",
        FileFormat.Html => "text/html; charset=utf-8",
        FileFormat.Json => "application/json; charset=utf-8",
        FileFormat.Csv => "text/csv; charset=utf-8",
        FileFormat.Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/pdf",
    };
}
