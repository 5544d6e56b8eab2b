using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ChatService.Services;

/// <summary>
/// Citations in an answer made with file search: the model is asked to cite passage N as 【N†filename】 (OpenAI's
/// marker form), and each marker naming a result becomes a `file_citation` annotation with its place in the text.
/// Markers that name no result stay plain text.
/// </summary>
public static partial class FileCitations
{
    public const string Instruction =
        "Cite each passage you use right after the words it supports, as 【N†filename】 where N is the passage's number in the list above.";

    public static string Marker(int number, string filename) => $"【{number}†{filename}】";

    public static string Annotations(string text, IReadOnlyList<FileSearchResult> results)
    {
        var annotations = new JsonArray();
        foreach (Match match in MarkerPattern().Matches(text))
        {
            var number = int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (number < 1 || number > results.Count)
            {
                continue;
            }
            annotations.Add(new JsonObject
            {
                ["type"] = "file_citation",
                ["text"] = match.Value,
                ["start_index"] = match.Index,
                ["end_index"] = match.Index + match.Length,
                ["file_citation"] = new JsonObject { ["file_id"] = results[number - 1].FileId, ["quote"] = "" },
            });
        }
        return annotations.ToJsonString();
    }

    // 【N†source】 or OpenAI's 【M:N†source】 (the last number names the passage).
    [GeneratedRegex(@"【(?:\d+:)?(?<n>\d{1,4})†[^】]{0,255}】")]
    private static partial Regex MarkerPattern();
}
