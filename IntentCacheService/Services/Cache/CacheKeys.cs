using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace IntentCacheService.Services.Cache;

/// <summary>
/// The Redis key layout. Every entry key names its assistant, the assistant's current generation, the owner, the
/// intent and the knowledge version, so an entry can only ever be found by the same owner asking the same assistant
/// the same intent against the same knowledge. Bumping the generation (INCR, atomic) drops all of an assistant's
/// entries at once across owners and instances; the orphans expire by their TTL.
/// </summary>
public static class CacheKeys
{
    private const string Prefix = "intent-cache:";

    public static string Generation(string assistantId) => $"{Prefix}{assistantId}:gen";

    public static EntryAddress Entry(string assistantId, string ownerId, string intent, string knowledgeVersion) =>
        new(assistantId, Generation(assistantId), EntryPrefix(assistantId), $":o:{Escape(ownerId)}:i:{intent}:k:{Escape(knowledgeVersion)}");

    /// <summary>What every entry key of the assistant starts with.</summary>
    public static string EntryPrefix(string assistantId) => $"{Prefix}{assistantId}:g";

    public static string Counter(string ownerId, string assistantId, string counter) =>
        $"{Prefix}stats:{Escape(ownerId)}:{assistantId}:{counter}";

    /// <summary>
    /// The entry id handed out with a hit: enough to find the entry again for feedback (the owner comes from the caller,
    /// never from the id), plus the entry's nonce so feedback cannot evict a newer answer stored under the same key.
    /// </summary>
    public static string EntryId(string assistantId, string intent, string knowledgeVersion, string nonce) =>
        "ice_" + WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{assistantId}\n{intent}\n{knowledgeVersion}\n{nonce}"));

    public static bool TryParseEntryId(string? entryId, out (string AssistantId, string Intent, string KnowledgeVersion, string Nonce) parts)
    {
        parts = default;
        if (entryId is null || !entryId.StartsWith("ice_", StringComparison.Ordinal) || entryId.Length > 2000)
        {
            return false;
        }
        try
        {
            var fields = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(entryId[4..])).Split('\n');
            if (fields.Length != 4 || fields.Any(f => f.Length == 0))
            {
                return false;
            }
            parts = (fields[0], fields[1], fields[2], fields[3]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // Owner ids and knowledge versions come from elsewhere: escaping keeps a ':' in them from forging another key's shape.
    private static string Escape(string value) => Uri.EscapeDataString(value);
}
