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

    public static int Count(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages) => messages.Sum(m => Count(m.Text));
}
