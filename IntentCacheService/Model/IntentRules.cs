using System.Text.RegularExpressions;

namespace IntentCacheService.Model;

/// <summary>Limits on what callers send, so bad input is a 400 and never a 500 or an unbounded key.</summary>
public static partial class IntentRules
{
    public const int MaxIdLength = 128;
    public const int MaxIntents = 200;
    public const int MaxExamplesPerIntent = 200;
    public const int MaxExamplesTotal = 5000;
    public const int MaxTextLength = ServiceDefaults.Discovery.SiblingLimits.MaxCachedQuestionLength;
    public const int MaxAnswerLength = ServiceDefaults.Discovery.SiblingLimits.MaxCachedAnswerLength;
    public const int MaxContextTurns = 50;
    public const int MaxKnowledgeVersionLength = 200;

    /// <summary>Assistant ids and intent names end up in Redis keys and URLs: letters, digits, '_', '-', '.'.</summary>
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    public static partial Regex SafeName();

    public static bool IsSafeName(string? value) => value is not null && SafeName().IsMatch(value);
}
