namespace Cli.Gateway;

/// <summary>The content type an upload declares, by file extension; document-service sniffs the rest.</summary>
public static class MediaTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".csv"] = "text/csv",
        [".json"] = "application/json",
        [".html"] = "text/html",
        [".pdf"] = "application/pdf",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".wav"] = "audio/wav",
        [".mp3"] = "audio/mpeg",
    };

    public static string Of(string path) => ByExtension.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
}
