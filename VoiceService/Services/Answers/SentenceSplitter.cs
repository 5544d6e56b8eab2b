using System.Text;
using System.Text.RegularExpressions;

namespace VoiceService.Services.Answers;

/// <summary>
/// Cuts streamed text into sentences as soon as each one is certain to have ended, so speech can start on it.
/// A full stop after an abbreviation ("Dr.", "e.g."), an initial ("J. Smith"), inside a number ("3.5") or after a
/// list number ("1.") does not end a sentence; a line break does (list items are spoken one by one); a run-on
/// sentence is cut at a comma or a space once it reaches the length cap. When <paramref name="firstClauseChars"/>
/// is set, the very first piece may end at a clause break (comma, semicolon, colon) once it is that long, so the
/// listener hears something while the rest of the first sentence is still being written.
/// </summary>
public sealed partial class SentenceSplitter(int maxChars, int firstClauseChars = 0)
{
    private const string Terminators = ".!?…";
    private const string Closers = "\"')]”’»";

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "inc", "ltd", "co", "corp", "approx", "dept",
        "est", "fig", "no", "nos", "vol", "p", "pp", "ca", "cf", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "min", "max", "hr", "hrs",
        "gen", "gov", "sgt", "capt", "lt", "col", "rev", "ave", "blvd", "rd",
    };

    // These also end sentences often: they end one when a capital letter follows.
    private static readonly HashSet<string> SentenceFinalAbbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "etc", "inc", "ltd", "co", "corp", "al",
    };

    private readonly StringBuilder _buffer = new();
    private bool _emitted;

    /// <summary>Adds streamed text; returns the sentences it completed, in order.</summary>
    public IReadOnlyList<string> Push(string delta)
    {
        _buffer.Append(delta);
        return Drain(final: false);
    }

    /// <summary>The stream ended: whatever is left is the last sentence.</summary>
    public IReadOnlyList<string> Flush() => Drain(final: true);

    private List<string> Drain(bool final)
    {
        var sentences = new List<string>();
        while (true)
        {
            var text = _buffer.ToString();
            var end = FindEnd(text, final);
            if (!_emitted && firstClauseChars > 0)
            {
                var clause = FirstClauseEnd(text, firstClauseChars);
                if (clause > 0 && (end < 0 || clause < end))
                {
                    end = clause;
                }
            }
            if (end < 0 && text.Length > maxChars)
            {
                end = CutPoint(text);
            }
            if (end < 0)
            {
                break;
            }
            _emitted |= Add(sentences, text[..end]);
            _buffer.Remove(0, end);
        }
        if (final)
        {
            Add(sentences, _buffer.ToString());
            _buffer.Clear();
        }
        return sentences;
    }

    private static bool Add(List<string> sentences, string candidate)
    {
        // A closing quote that arrived after its sentence was already spoken belongs to no new one.
        var sentence = candidate.Trim().TrimStart(Closers.ToCharArray()).Trim();
        if (sentence.Any(char.IsLetterOrDigit))
        {
            sentences.Add(sentence);
            return true;
        }
        return false;
    }

    /// <summary>The end of the first clause break followed by white space at or after <paramref name="minimum"/> characters.</summary>
    private static int FirstClauseEnd(string text, int minimum)
    {
        // A break at the very end of what has arrived counts too: after a word (not a digit, as in "1,000") it
        // cannot become anything but a break.
        for (var i = minimum; i < text.Length; i++)
        {
            if (text[i] is ',' or ';' or ':' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])) && !char.IsDigit(text[i - 1]))
            {
                return i + 1;
            }
        }
        return -1;
    }

    /// <summary>The index just past the first certain sentence end, or -1 while none is certain yet.</summary>
    private static int FindEnd(string text, bool final)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                if (text.AsSpan(0, i).Trim().Length > 0)
                {
                    return i + 1;
                }
                continue;
            }
            if (!Terminators.Contains(c, StringComparison.Ordinal))
            {
                continue;
            }

            var j = i + 1;
            while (j < text.Length && Terminators.Contains(text[j], StringComparison.Ordinal))
            {
                j++;
            }
            while (j < text.Length && Closers.Contains(text[j], StringComparison.Ordinal))
            {
                j++;
            }
            var marks = text.AsSpan(i, j - i);
            var plainStop = !marks.ContainsAny('!', '?') && !marks.Contains('…');

            if (j == text.Length)
            {
                // Nothing follows yet. "!" and "?" end here; a full stop ends here unless more text could change its
                // meaning (a number that may go on as a decimal, an abbreviation, an initial).
                if (final || !plainStop || !MayContinue(text, i))
                {
                    return j;
                }
                return -1;
            }
            if (!char.IsWhiteSpace(text[j]))
            {
                // "3.5", "e.g.", "example.com": not an end.
                i = j - 1;
                continue;
            }
            if (plainStop && !EndsHere(text, i, j))
            {
                i = j - 1;
                continue;
            }
            return j;
        }
        return -1;
    }

    /// <summary>A full stop at the end of what has arrived so far, after something that may not end a sentence.</summary>
    private static bool MayContinue(string text, int stop)
    {
        var word = WordBefore(text, stop);
        return word.Length <= 1 || char.IsDigit(word[^1]) || IsAbbreviation(word);
    }

    /// <summary>A full stop followed by white space: does it end the sentence?</summary>
    private static bool EndsHere(string text, int stop, int after)
    {
        var word = WordBefore(text, stop);
        if (word.Length == 0)
        {
            return true;
        }
        if (word.All(char.IsDigit) && IsLineStart(text, stop - word.Length))
        {
            return false; // "1. Open the form": a list number.
        }
        if (IsInitial(word))
        {
            return false;
        }
        if (IsAbbreviation(word))
        {
            var next = text.AsSpan(after).TrimStart();
            return SentenceFinalAbbreviations.Contains(word) && next.Length > 0 && char.IsUpper(next[0]);
        }
        return true;
    }

    private static string WordBefore(string text, int stop)
    {
        var start = stop;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]) && text[start - 1] is not ('(' or '"' or '\''))
        {
            start--;
        }
        return text[start..stop];
    }

    private static bool IsAbbreviation(string word) =>
        Abbreviations.Contains(word) || (word.Contains('.', StringComparison.Ordinal) && word.Split('.').All(p => p.Length <= 2));

    private static bool IsInitial(string word) => word.Length == 1 && char.IsUpper(word[0]);

    private static bool IsLineStart(string text, int index)
    {
        for (var k = index - 1; k >= 0; k--)
        {
            if (text[k] == '\n')
            {
                return true;
            }
            if (!char.IsWhiteSpace(text[k]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Where to cut a run-on sentence: after a comma, semicolon or colon in its second half, else at a space.</summary>
    private int CutPoint(string text)
    {
        var window = text.AsSpan(0, maxChars);
        var clause = window.LastIndexOfAny(",;:");
        if (clause >= maxChars / 2 && clause + 1 < window.Length && char.IsWhiteSpace(window[clause + 1]))
        {
            return clause + 1;
        }
        var space = window.LastIndexOf(' ');
        return space > 0 ? space : maxChars;
    }

    /// <summary>The sentence as it should be spoken: markdown marks and link targets removed.</summary>
    public static string Speakable(string sentence)
    {
        var text = MarkdownLink().Replace(sentence, "$1");
        text = ListMarker().Replace(text, "");
        text = MarkdownMarks().Replace(text, "");
        return Spaces().Replace(text, " ").Trim();
    }

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^\s*(?:[-*+>]|#{1,6})\s+")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"[*_`#]+")]
    private static partial Regex MarkdownMarks();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
