using System.Text;

namespace ServiceDefaults.Caching;

/// <summary>The one way a question becomes a cache key, shared by chat-service and intent-cache-service.</summary>
public static class QuestionText
{
    /// <summary>
    /// Case, surrounding and repeated spaces and closing punctuation do not change a question, so
    /// "How many vacation days?" and "how many  vacation days" are one exact repeat, answered without the model.
    /// </summary>
    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var ch in text.AsSpan().Trim().TrimEnd("?!. "))
        {
            if (char.IsWhiteSpace(ch))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(char.ToLowerInvariant(ch));
        }
        return builder.ToString();
    }
}
