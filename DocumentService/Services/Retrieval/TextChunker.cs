using System.Text;
using System.Text.RegularExpressions;

namespace DocumentService.Services.Retrieval;

/// <summary>
/// Splits text into passages of at most <c>size</c> characters along paragraph, line and sentence boundaries, each
/// passage starting with the last whole sentences of the one before (up to <c>overlap</c> characters), so a fact
/// that straddles a boundary is whole in at least one passage. A sentence longer than a passage is cut at spaces.
/// </summary>
public static partial class TextChunker
{
    private enum Break
    {
        Sentence,
        Line,
        Paragraph,
    }

    private readonly record struct Segment(string Text, Break Before);

    public static List<string> Split(string text, int size, int overlap)
    {
        var segments = Segments(text, size);
        var chunks = new List<string>();
        var current = new List<Segment>();
        var length = 0;

        foreach (var segment in segments)
        {
            var added = segment.Text.Length + (current.Count > 0 ? 2 : 0);
            // A paragraph break is the preferred place to cut once the passage is reasonably full.
            var cutAtParagraph = segment.Before == Break.Paragraph && length >= size * 3 / 5;
            if (current.Count > 0 && (length + added > size || cutAtParagraph))
            {
                chunks.Add(Join(current));
                current = Tail(current, overlap, size - segment.Text.Length - 2);
                length = Length(current);
            }
            current.Add(segment);
            length = Length(current);
        }
        if (current.Count > 0)
        {
            chunks.Add(Join(current));
        }
        return chunks;
    }

    /// <summary>The last whole segments of a passage that fit in the overlap and leave room for the next one.</summary>
    private static List<Segment> Tail(List<Segment> segments, int overlap, int room)
    {
        var budget = Math.Min(overlap, room);
        var tail = new List<Segment>();
        var used = 0;
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            used += segments[i].Text.Length + 1;
            if (used > budget)
            {
                break;
            }
            tail.Insert(0, segments[i]);
        }
        return tail;
    }

    private static int Length(List<Segment> segments)
    {
        var total = 0;
        foreach (var s in segments)
        {
            total += s.Text.Length + 2;
        }
        return Math.Max(0, total - 2);
    }

    private static string Join(List<Segment> segments)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < segments.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(segments[i].Before switch
                {
                    Break.Paragraph => "\n\n",
                    Break.Line => "\n",
                    _ => " ",
                });
            }
            builder.Append(segments[i].Text);
        }
        return builder.ToString();
    }

    private static List<Segment> Segments(string text, int size)
    {
        var segments = new List<Segment>();
        var paragraphs = ParagraphBreak().Split(text.Replace("\r\n", "\n", StringComparison.Ordinal));
        foreach (var paragraph in paragraphs)
        {
            var firstInParagraph = true;
            foreach (var line in paragraph.Split('\n'))
            {
                var firstInLine = true;
                foreach (var sentence in SplitSentences(line.Trim()))
                {
                    var trimmed = sentence.Trim();
                    if (trimmed.Length == 0)
                    {
                        continue;
                    }
                    var before = firstInParagraph ? Break.Paragraph : firstInLine ? Break.Line : Break.Sentence;
                    foreach (var piece in CutLong(trimmed, size))
                    {
                        segments.Add(new Segment(piece, before));
                        before = Break.Sentence;
                    }
                    firstInParagraph = false;
                    firstInLine = false;
                }
            }
        }
        return segments;
    }

    private static IEnumerable<string> CutLong(string sentence, int size)
    {
        var rest = sentence;
        while (rest.Length > size)
        {
            var cut = rest.LastIndexOf(' ', size - 1);
            if (cut < size / 2)
            {
                cut = size;
            }
            yield return rest[..cut].TrimEnd();
            rest = rest[cut..].TrimStart();
        }
        if (rest.Length > 0)
        {
            yield return rest;
        }
    }

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex ParagraphBreak();

    /// <summary>
    /// Cuts after . ! or ? (and a closing quote or bracket) followed by white space: the usual end of a sentence.
    /// A hand-written scan, as a regex with look-behind was the slowest step of ingestion.
    /// </summary>
    private static List<string> SplitSentences(string line)
    {
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] is not ('.' or '!' or '?'))
            {
                continue;
            }
            var end = i + 1;
            if (end < line.Length && line[end] is '"' or '\'' or ')' or ']' or '”' or '’')
            {
                end++;
            }
            if (end < line.Length && char.IsWhiteSpace(line[end]))
            {
                sentences.Add(line[start..end]);
                start = end + 1;
                i = end;
            }
        }
        if (start < line.Length)
        {
            sentences.Add(line[start..]);
        }
        return sentences;
    }
}
