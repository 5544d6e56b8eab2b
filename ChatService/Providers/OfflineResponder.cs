using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using ChatService.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Providers;

/// <summary>
/// The model when none is configured: answers by retrieval alone. It quotes the passages of the assistant's
/// knowledge that share the most words with the question, or says plainly that its documents do not cover it.
/// Deterministic (same question and knowledge, same answer) and streamed word by word like a model.
/// With function tools (<see cref="OfflineToolCalls"/>) it calls one when the request requires a call, or when the
/// question names a function, and answers a function's output by reporting it. Asked to compact a conversation, it
/// condenses the turns (<see cref="OfflineCompaction"/>).
/// </summary>
public sealed partial class OfflineResponder(IOptions<ChatServiceOptions> options) : IChatClient
{
    public const string ModelName = "offline-retrieval";
    public const string NotCovered = "My documents do not cover that question, so I cannot answer it.";
    public const string NoKnowledge = "No language model is configured and this request names no assistant, so I have no documents to answer from.";

    private const int MaxQuotes = 2;
    private const int MaxQuoteChars = 400;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "is", "are", "was", "were", "be", "been", "do", "does", "did", "of", "to", "in", "on", "at",
        "for", "and", "or", "but", "with", "by", "from", "as", "it", "its", "this", "that", "these", "those", "what",
        "which", "who", "whom", "how", "why", "when", "where", "can", "could", "should", "would", "will", "shall",
        "may", "might", "must", "i", "me", "my", "you", "your", "we", "our", "they", "their", "he", "she", "his",
        "her", "there", "here", "about", "into", "than", "then", "so", "if", "not", "no", "any", "all", "some",
        "have", "has", "had", "tell", "please", "get", "know", "much", "many",
    };

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<AIChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        if (OfflineToolCalls.Call(list, chatOptions) is { } call)
        {
            return Task.FromResult(new ChatResponse(new AIChatMessage(ChatRole.Assistant, [call]))
            {
                ModelId = chatOptions?.ModelId ?? ModelName,
                FinishReason = ChatFinishReason.ToolCalls,
                Usage = Usage(list, FunctionArguments.Text(call)),
            });
        }
        var (answer, cut) = Limit(Shaped(OfflineToolCalls.Report(list) ?? Answer(list, chatOptions), chatOptions), chatOptions?.MaxOutputTokens);
        return Task.FromResult(new ChatResponse(new AIChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = chatOptions?.ModelId ?? ModelName,
            FinishReason = cut ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Usage = Usage(list, answer),
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        Microsoft.Extensions.AI.ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var model = chatOptions?.ModelId ?? ModelName;
        if (OfflineToolCalls.Call(list, chatOptions) is { } call)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, [call, new UsageContent(Usage(list, FunctionArguments.Text(call)))])
            {
                ModelId = model,
                FinishReason = ChatFinishReason.ToolCalls,
            };
            yield break;
        }
        var (answer, cut) = Limit(Shaped(OfflineToolCalls.Report(list) ?? Answer(list, chatOptions), chatOptions), chatOptions?.MaxOutputTokens);
        var delay = options.Value.OfflineWordDelay;
        foreach (Match word in WordWithSpace().Matches(answer))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.Yield();
            }
            yield return new ChatResponseUpdate(ChatRole.Assistant, word.Value) { ModelId = model };
        }
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(list, answer))])
        {
            ModelId = model,
            FinishReason = cut ? ChatFinishReason.Length : ChatFinishReason.Stop,
        };
    }

    /// <summary>
    /// The answer in the form asked for, as far as retrieval can give it: cut before the first stop sequence, and as JSON
    /// of the schema asked for (<see cref="SchemaShapedAnswer"/>) when JSON was asked for.
    /// </summary>
    private static string Shaped(string answer, Microsoft.Extensions.AI.ChatOptions? chatOptions)
    {
        foreach (var stop in chatOptions?.StopSequences ?? [])
        {
            if (stop.Length > 0 && answer.IndexOf(stop, StringComparison.Ordinal) is >= 0 and var at)
            {
                answer = answer[..at];
            }
        }
        return chatOptions?.ResponseFormat is ChatResponseFormatJson json ? SchemaShapedAnswer.Json(answer, json.Schema) : answer;
    }

    /// <summary>As a model stops at its output cap: the words that fit in <paramref name="maxTokens"/>, and whether any were cut.</summary>
    private static (string Text, bool Cut) Limit(string answer, int? maxTokens)
    {
        if (maxTokens is not { } max || TokenEstimator.Count(answer) <= max)
        {
            return (answer, false);
        }
        var kept = new StringBuilder();
        foreach (Match word in WordWithSpace().Matches(answer))
        {
            if (TokenEstimator.Count(kept + word.Value) > max)
            {
                break;
            }
            kept.Append(word.Value);
        }
        return (kept.ToString(), true);
    }

    /// <summary>The answer for the last user message, from the passages the chat engine attached.</summary>
    public static string Answer(IReadOnlyList<AIChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? chatOptions)
    {
        if (chatOptions?.AdditionalProperties?.ContainsKey(ResponseCompaction.PropertyKey) == true)
        {
            return OfflineCompaction.Condense(messages);
        }
        var question = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        if (chatOptions?.AdditionalProperties?.TryGetValue(PromptBuilder.PassagesKey, out var value) != true
            || value is not IReadOnlyList<KnowledgePassage> passages)
        {
            return NoKnowledge;
        }

        var terms = Terms(question);
        if (terms.Count == 0)
        {
            return NotCovered;
        }

        var ranked = passages
            .SelectMany(p => Sentences(p.Text).Select((s, i) => (Passage: p, Sentence: s, Order: i)))
            .Select(x => (x.Passage, x.Sentence, x.Order, Score: Terms(x.Sentence).Count(terms.Contains)))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Passage.Filename, StringComparer.Ordinal)
            .ThenBy(x => x.Order)
            .Take(MaxQuotes)
            .ToList();
        if (ranked.Count == 0)
        {
            return NotCovered;
        }

        // Passages from a file search are cited with OpenAI's markers (their number in the list), others by filename.
        var cite = chatOptions.AdditionalProperties.ContainsKey(PromptBuilder.CitationsKey);
        var answer = new StringBuilder("From my documents:");
        foreach (var (passage, sentence, _, _) in ranked)
        {
            var quote = sentence.Length > MaxQuoteChars ? sentence[..MaxQuoteChars].TrimEnd() + "…" : sentence;
            answer.Append(" \"").Append(quote).Append('"')
                .Append(cite ? " " + FileCitations.Marker(passages.ToList().IndexOf(passage) + 1, passage.Filename) : $" ({passage.Filename})");
        }
        return answer.ToString();
    }

    private static UsageDetails Usage(IReadOnlyList<AIChatMessage> messages, string answer)
    {
        var input = TokenEstimator.Count(messages);
        var output = TokenEstimator.Count(answer);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    private static HashSet<string> Terms(string text) =>
        Word().Matches(text.ToLowerInvariant())
            .Select(m => Stem(m.Value))
            .Where(w => w.Length > 1 && !StopWords.Contains(w))
            .ToHashSet(StringComparer.Ordinal);

    // Crude plural folding so "holidays" finds "holiday"; enough for lexical matching without a stemmer package.
    private static string Stem(string word) =>
        word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal) ? word[..^3] + "y"
        : word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1]
        : word;

    private static IEnumerable<string> Sentences(string text) =>
        SentenceSplit().Split(text.ReplaceLineEndings(" "))
            .Select(s => Whitespace().Replace(s, " ").Trim())
            .Where(s => s.Length > 0);

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    // The space goes before the word, as a model's tokens carry it, so each piece counts as the tokens it is.
    [GeneratedRegex(@"\s*\S+")]
    private static partial Regex WordWithSpace();

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceSplit();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
