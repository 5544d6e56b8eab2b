using System.Text;
using ChatService.Services;
using Microsoft.Extensions.AI;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Providers;

/// <summary>
/// The offline responder's "summary" for POST /v1/responses/compact: it cannot write one, so it condenses what the
/// compaction drops, deterministically and saying so. Each answer, function call and function output is cut to its
/// first words, in order, and an earlier summary is carried in whole. The user's messages are not repeated: the
/// compacted window keeps them word for word beside it.
/// </summary>
public static class OfflineCompaction
{
    public const string Heading = "The conversation so far, condensed (no language model is configured, so these are its turns cut short, not a written summary):";
    public const string NothingDropped = "Only the user's messages came before; nothing else was said.";
    private const int MaxChars = 200;

    /// <summary>The condensation of <paramref name="messages"/>: the system message and the request to summarise (the last) are not turns.</summary>
    public static string Condense(IReadOnlyList<AIChatMessage> messages)
    {
        var lines = new StringBuilder(Heading);
        var any = false;
        foreach (var message in messages.Take(messages.Count - 1).Where(m => m.Role != ChatRole.System))
        {
            foreach (var line in Lines(message))
            {
                lines.Append("\n- ").Append(line);
                any = true;
            }
        }
        return any ? lines.ToString() : $"{Heading}\n{NothingDropped}";
    }

    private static IEnumerable<string> Lines(AIChatMessage message)
    {
        if (message.Role == ChatRole.User)
        {
            // An earlier compaction's summary, opened where its item stood, goes on whole; the user's own words stay in the window.
            if (message.Text.StartsWith(ResponseCompaction.SummaryHeading, StringComparison.Ordinal))
            {
                yield return "earlier: " + message.Text[ResponseCompaction.SummaryHeading.Length..].Trim();
            }
            yield break;
        }
        foreach (var content in message.Contents)
        {
            var line = content switch
            {
                TextContent { Text.Length: > 0 } text => "assistant: " + Cut(text.Text),
                FunctionCallContent call => $"called {call.Name}({Cut(FunctionArguments.Text(call))})",
                FunctionResultContent result => "function returned: " + Cut(result.Result?.ToString() ?? ""),
                _ => null,
            };
            if (line is not null)
            {
                yield return line;
            }
        }
    }

    private static string Cut(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= MaxChars ? flat : flat[..MaxChars].TrimEnd() + "…";
    }
}
