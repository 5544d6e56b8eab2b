using System.Text;
using Microsoft.Extensions.AI;
using ServiceDefaults.Errors;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// Builds what the model reads: one system message (the assistant's instructions, its prompt documents, the passages
/// retrieved for this question), then as many of the latest turns as the context budget holds; or, when the turns may
/// not be truncated, all of them or a 400 `context_length_exceeded`.
/// </summary>
public static class PromptBuilder
{
    /// <summary>ChatOptions.AdditionalProperties key carrying the retrieved passages to the offline responder.</summary>
    public const string PassagesKey = "chat_service.passages";

    /// <summary>Present when the passages came from a file search: the answer cites them with 【N†filename】 markers.</summary>
    public const string CitationsKey = "chat_service.citations";

    public static List<AIChatMessage> Build(
        string? instructions,
        string? additionalInstructions,
        KnowledgeSnapshot knowledge,
        IReadOnlyList<KnowledgePassage> passages,
        IReadOnlyList<AIChatMessage> turns,
        int budgetTokens,
        bool truncate = true)
    {
        var system = new StringBuilder();
        Append(system, instructions);
        Append(system, additionalInstructions);
        foreach (var document in knowledge.Instructions.Where(d => !string.IsNullOrWhiteSpace(d.Text)))
        {
            Append(system, $"## {document.Filename}\n{document.Text.Trim()}");
        }
        if (passages.Count > 0)
        {
            var block = new StringBuilder("Passages from your documents that may answer the question (quote them when they do; say so when they do not):");
            for (var i = 0; i < passages.Count; i++)
            {
                block.Append('\n').Append('[').Append(i + 1).Append("] (").Append(passages[i].Filename).Append(") ").Append(passages[i].Text.Trim());
            }
            Append(system, block.ToString());
        }

        var messages = new List<AIChatMessage>();
        var remaining = budgetTokens;
        if (system.Length > 0)
        {
            messages.Add(new AIChatMessage(ChatRole.System, system.ToString()));
            remaining -= TokenEstimator.Count(messages[0].Text);
        }

        // Newest turns first until the budget runs out; the latest turn always goes in, whatever its size.
        var kept = new List<AIChatMessage>();
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            var cost = Cost(turns[i]);
            if (kept.Count > 0 && cost > remaining)
            {
                break;
            }
            kept.Add(turns[i]);
            remaining -= cost;
        }
        kept.Reverse();
        if (!truncate && (kept.Count < turns.Count || remaining < 0))
        {
            throw ContextExceeded(budgetTokens - remaining + turns.Take(turns.Count - kept.Count).Sum(Cost), budgetTokens);
        }
        // A function's output whose call fell out of the budget would be refused by the model: it goes with its call.
        while (kept.Count > 1 && kept[0].Role == ChatRole.Tool)
        {
            kept.RemoveAt(0);
        }
        messages.AddRange(kept);
        return messages;
    }

    private static int Cost(AIChatMessage turn) => TokenEstimator.Count(TokenEstimator.Readable(turn)) + 4;

    /// <summary>OpenAI's answer to an input larger than the context window when nothing may be dropped.</summary>
    private static ApiException ContextExceeded(int tokens, int budget) =>
        new(StatusCodes.Status400BadRequest,
            $"Your input exceeds the context window: it needs {tokens} tokens (4 a message for its framing included) and the context holds {budget}. "
            + "Shorten the input, or send truncation \"auto\" to drop the oldest items that do not fit.", "Bad request", "context_length_exceeded")
        {
            Param = "input",
        };

    private static void Append(StringBuilder system, string? part)
    {
        if (string.IsNullOrWhiteSpace(part))
        {
            return;
        }
        if (system.Length > 0)
        {
            system.Append("\n\n");
        }
        system.Append(part.Trim());
    }
}
