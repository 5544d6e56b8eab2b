using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace DocumentService.Services.Extraction;

/// <summary>
/// The visible text of an HTML page: scripts, styles and comments dropped, block elements turned into paragraph
/// breaks, entities decoded. A tolerant regex pass is enough here: the text only feeds retrieval, nothing is rendered.
/// </summary>
public static partial class HtmlText
{
    public static string ToPlainText(string html)
    {
        var text = Invisible().Replace(html, " ");
        text = BlockTag().Replace(text, "\n\n");
        text = LineBreak().Replace(text, "\n");
        text = AnyTag().Replace(text, "");
        text = WebUtility.HtmlDecode(text);

        var builder = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            builder.Append(Spaces().Replace(line, " ").Trim()).Append('\n');
        }
        return TextExtractor.Normalize(builder.ToString());
    }

    [GeneratedRegex(@"<!--.*?-->|<(script|style|head|noscript|template|svg)\b[^>]*>.*?</\1\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"</?(p|div|section|article|header|footer|main|aside|nav|h[1-6]|ul|ol|li|table|tr|blockquote|pre|dl|dt|dd|title|figure|figcaption)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<(br|hr)\b[^>]*>|</t[dh]\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"[ \t\f\v\u00a0]+")]
    private static partial Regex Spaces();
}
