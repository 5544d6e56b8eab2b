using ServiceDefaults.Discovery;

namespace ChatService.Services;

/// <summary>A user's message as document-service's search query.</summary>
public static class SearchQuery
{
    /// <summary>
    /// The message, or of one longer than document-service searches with, its end: a question mostly closes what was
    /// pasted before it, and the start alone searched the pasted text and left the question out.
    /// </summary>
    public static string Of(string message)
    {
        // Trailing blanks first, so the end kept of a long message is words.
        message = message.TrimEnd();
        if (message.Length <= SiblingLimits.MaxSearchQueryLength)
        {
            return message;
        }
        var end = message[^SiblingLimits.MaxSearchQueryLength..];
        // A cut between the two halves of a surrogate pair would leave half a character.
        return char.IsLowSurrogate(end[0]) ? end[1..] : end;
    }
}
