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
        foreach (var (marker, result) in Cited(text, results))
        {
            annotations.Add(new JsonObject
            {
                ["type"] = "file_citation",
                ["text"] = marker.Value,
                ["start_index"] = marker.Index,
                ["end_index"] = marker.Index + marker.Length,
                ["file_citation"] = new JsonObject { ["file_id"] = result.FileId, ["quote"] = "" },
            });
        }
        return annotations.ToJsonString();
    }

    /// <summary>Each marker in <paramref name="text"/> that names one of the results, with that result.</summary>
    public static IEnumerable<(Match Marker, FileSearchResult Result)> Cited(string text, IReadOnlyList<FileSearchResult> results)
    {
        foreach (Match match in MarkerPattern().Matches(text))
        {
            var number = int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (number >= 1 && number <= results.Count)
            {
                yield return (match, results[number - 1]);
            }
        }
    }

    // 【N†source】 or OpenAI's 【M:N†source】 (the last number names the passage).
    [GeneratedRegex(@"【(?:\d+:)?(?<n>\d{1,4})†[^】]{0,255}】")]
    private static partial Regex MarkerPattern();
}
