using System.Buffers;
using System.Security.Cryptography;

namespace ServiceDefaults.Data;

/// <summary>
/// Prefixed ids that sort in creation order: 13 hex digits of a strictly increasing microsecond clock, then 8 random
/// characters. Cursor paging (after/before) and "newest first" then need nothing but the id, and objects made in the
/// same second still list in the order they were made. Every service's ids come from here.
/// </summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    /// <summary>The longest id any service keeps (its columns' length).</summary>
    public const int MaxLength = 128;

    private static long _last;
    private static readonly SearchValues<char> IdCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    public static string New(string prefix)
    {
        var stamp = Stamp();

        // One call for all the randomness: eight GetInt32 calls were most of a cached answer's CPU in chat-service.
        // A byte below 252 (7 × 36) maps to a character without bias; the rare byte above is drawn again.
        Span<char> random = stackalloc char[8];
        Span<byte> bytes = stackalloc byte[16];
        var filled = 0;
        while (filled < random.Length)
        {
            RandomNumberGenerator.Fill(bytes);
            foreach (var b in bytes)
            {
                if (b < 252 && filled < random.Length)
                {
                    random[filled++] = Alphabet[b % Alphabet.Length];
                }
            }
        }
        return $"{prefix}_{stamp:x13}{random}";
    }

    /// <summary>The next value of the strictly increasing microsecond clock: a sort key where ids of several prefixes mix.</summary>
    public static long Stamp()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        long stamp;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _last);
            stamp = Math.Max(now, seen + 1);
        }
        while (Interlocked.CompareExchange(ref _last, stamp, seen) != seen);
        return stamp;
    }

    /// <summary>
    /// Whether <paramref name="id"/> can be one of this prefix's ids: the prefix, '_', then letters, digits, '_' or '-'
    /// (OpenAI's ids look the same). Checked before an id a client sent goes into a sibling call's path: System.Uri
    /// drops a "." or ".." segment (even percent-encoded), so "vs/." would ask for the list instead.
    /// </summary>
    public static bool HasShape(string id, string prefix) =>
        id.Length > prefix.Length + 1 && id.Length <= MaxLength
        && id.StartsWith(prefix, StringComparison.Ordinal) && id[prefix.Length] == '_'
        && !id.AsSpan(prefix.Length + 1).ContainsAnyExcept(IdCharacters);

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
