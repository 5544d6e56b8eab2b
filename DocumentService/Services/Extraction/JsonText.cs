using System.Text;
using System.Text.Json;

namespace DocumentService.Services.Extraction;

/// <summary>
/// JSON as one "path: value" line per leaf, so that a question about a field finds its name and its value together;
/// the elements of a top-level array become paragraphs of their own.
/// </summary>
public static class JsonText
{
    public static string ToPlainText(string filename, string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw TextExtractor.Unreadable($"'{filename}' is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var builder = new StringBuilder();
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    Write(builder, "", element);
                    builder.Append('\n');
                }
            }
            else
            {
                Write(builder, "", document.RootElement);
            }
            return TextExtractor.Normalize(builder.ToString());
        }
    }

    private static void Write(StringBuilder builder, string path, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Write(builder, path.Length == 0 ? property.Name : path + "." + property.Name, property.Value);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Write(builder, $"{path}[{index++}]", item);
                }
                break;
            case JsonValueKind.Null:
                break;
            default:
                var value = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                builder.Append(path.Length == 0 ? value : path + ": " + value).Append('\n');
                break;
        }
    }
}
