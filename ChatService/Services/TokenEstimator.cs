using Microsoft.Extensions.AI;
using ServiceDefaults.Tokens;

namespace ChatService.Services;

/// <summary>
/// Token counts for context budgets and for usage when a provider reports none (the offline responder, a stream cut
/// short): OpenAI's o200k_base encoding through <see cref="TokenCounter"/>, instead of four characters a token.
/// Real counts from a provider's usage replace these whenever they arrive.
/// </summary>
public static class TokenEstimator
{
    public static int Count(string? text) => TokenCounter.Count(text);

    public static int Count(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages) => messages.Sum(m => Count(Readable(m)));

    /// <summary>
    /// What the model reads of a message: its text, and the names and arguments of the functions it calls or the
    /// outputs it returns (ChatMessage.Text holds text alone, so a function's long output would cost nothing).
    /// </summary>
    public static string Readable(Microsoft.Extensions.AI.ChatMessage message) =>
        message.Contents.All(c => c is TextContent)
            ? message.Text
            : string.Join("\n", message.Contents.Select(c => c switch
            {
                TextContent text => text.Text,
                FunctionCallContent call => $"{call.Name} {FunctionArguments.Text(call)}",
                FunctionResultContent result => result.Result?.ToString(),
                _ => null,
            }).Where(t => !string.IsNullOrEmpty(t)));
}
