using System.Text.RegularExpressions;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// What an intent does not tell apart but an answer may turn on: the numbers a question names and whether it negates.
/// "a refund after 30 days" is the refund intent as surely as "after 14 days" is, and "how do I not reset my password"
/// the reset one; an answer written for one wording is wrong for the other, so such a lookup misses.
/// </summary>
internal static partial class QuestionDetails
{
    public static bool Match(string asked, string answered) =>
        Numbers(asked).SetEquals(Numbers(answered)) && Negation().IsMatch(asked) == Negation().IsMatch(answered);

    private static HashSet<string> Numbers(string text) =>
        [.. Number().Matches(text).Select(m => m.Value.TrimStart('0'))];

    [GeneratedRegex(@"\d+(?:[.,]\d+)*")]
    private static partial Regex Number();

    [GeneratedRegex(@"\b(?:not|no|never|without|cannot|nothing|none|neither|nor)\b|n['’]t\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Negation();
}
