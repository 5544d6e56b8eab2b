namespace Gateway.Auth;

/// <summary>
/// The names people give accounts and keys, shown back in lists, the web page and logs: trimmed, 1 to 100 characters,
/// with no control character (a newline or an escape sequence would forge a log line or repaint a terminal) and no
/// bidirectional override (which makes a name read as another). Emoji sequences and every script stay allowed.
/// </summary>
internal static class DisplayNames
{
    public const string Problem = "The name is required: 1 to 100 characters, none of them control characters.";

    private const int MaxLength = 100;

    /// <summary>The name to store, or null when it is not one.</summary>
    public static string? Normalize(string? name)
    {
        name = name?.Trim();
        return string.IsNullOrEmpty(name) || name.Length > MaxLength || name.Any(IsRefused) ? null : name;
    }

    private static bool IsRefused(char c) =>
        char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}
