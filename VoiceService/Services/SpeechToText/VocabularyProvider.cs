using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace VoiceService.Services.SpeechToText;

/// <summary>
/// Gathers an assistant's vocabulary from its siblings: its own instructions (chat-service), the example utterances
/// of its intents (intent-cache-service) and the frequent words of its documents (document-service). Any sibling may
/// be down or not know the assistant: recognition then goes on with what there is, down to nothing at all.
/// </summary>
public sealed partial class VocabularyProvider(
    IHttpClientFactory http, IMemoryCache cache, IOptions<VoiceOptions> options, ILogger<VocabularyProvider> logger)
{
    public const string HttpClientName = "vocabulary";
    private const int MaxTerms = 300;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "about", "above", "after", "again", "against", "also", "because", "been", "before", "being", "below", "between",
        "both", "cannot", "could", "does", "doing", "down", "during", "each", "from", "further", "have", "having", "here",
        "into", "itself", "just", "more", "most", "must", "once", "only", "other", "ought", "over", "same", "shall",
        "should", "some", "such", "than", "that", "their", "theirs", "them", "themselves", "then", "there", "these",
        "they", "this", "those", "through", "under", "until", "very", "were", "what", "when", "where", "which", "while",
        "whom", "will", "with", "would", "your", "yours", "yourself", "within", "without", "upon", "may", "might",
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "has", "had", "her", "his", "how", "its",
        "our", "out", "was", "who", "why", "per", "she", "him", "get", "got", "use", "one", "two", "too", "yes",
        "please", "there",
    };

    /// <summary>The vocabulary of an assistant as the caller may see it (siblings check the caller themselves).</summary>
    public async Task<Vocabulary> GetAsync(string assistantId, string userId, CancellationToken cancellationToken)
    {
        var key = $"vocabulary:{userId}:{assistantId}";
        if (cache.TryGetValue(key, out Vocabulary? cached) && cached is not null)
        {
            return cached;
        }

        var client = http.CreateClient(HttpClientName);
        var instructions = InstructionsAsync(client, assistantId, cancellationToken);
        var intents = IntentExamplesAsync(client, assistantId, cancellationToken);
        var knowledge = DocumentTextAsync(client, assistantId, cancellationToken);
        var phrases = await intents.ConfigureAwait(false);
        var text = await knowledge.ConfigureAwait(false);
        var own = await instructions.ConfigureAwait(false);

        var vocabulary = new Vocabulary(phrases, Terms(own.Concat(text).Concat(phrases)));
        cache.Set(key, vocabulary, options.Value.Local.VocabularyCacheTime);
        return vocabulary;
    }

    /// <summary>The assistant's own instructions: often the only place a small assistant's facts are written.</summary>
    private async Task<IReadOnlyList<string>> InstructionsAsync(HttpClient client, string assistantId, CancellationToken cancellationToken)
    {
        var json = await GetJsonAsync(client, HttpMethod.Get, $"http://chat-service/v1/assistants/{Uri.EscapeDataString(assistantId)}", null, cancellationToken).ConfigureAwait(false);
        return json is { } root && TextOf(root, "instructions") is { } text ? [text] : [];
    }

    private async Task<IReadOnlyList<string>> IntentExamplesAsync(HttpClient client, string assistantId, CancellationToken cancellationToken)
    {
        var json = await GetJsonAsync(client, HttpMethod.Get, $"http://intent-cache-service/api/intents/{Uri.EscapeDataString(assistantId)}", null, cancellationToken).ConfigureAwait(false);
        var examples = new List<string>();
        if (json is { } root)
        {
            CollectStrings(root, inside: false, examples);
        }
        return examples;
    }

    private async Task<IReadOnlyList<string>> DocumentTextAsync(HttpClient client, string assistantId, CancellationToken cancellationToken)
    {
        var escaped = Uri.EscapeDataString(assistantId);
        var knowledgeTask = GetJsonAsync(client, HttpMethod.Get, $"http://document-service/api/assistants/{escaped}/knowledge", null, cancellationToken);
        var searchTask = GetJsonAsync(client, HttpMethod.Post, "http://document-service/api/documents/search",
            new { assistant_id = assistantId, query = "what how when where who policy help overview", top_k = 20 }, cancellationToken);
        var texts = new List<string>();
        if (await knowledgeTask.ConfigureAwait(false) is { } knowledge
            && knowledge.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.Array)
        {
            texts.AddRange(instructions.EnumerateArray().Select(i => TextOf(i, "text")).OfType<string>());
        }
        if (await searchTask.ConfigureAwait(false) is { } search
            && search.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            texts.AddRange(data.EnumerateArray().Select(i => TextOf(i, "text")).OfType<string>());
        }
        return texts;
    }

    private async Task<JsonElement?> GetJsonAsync(HttpClient client, HttpMethod method, string url, object? body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }
            using var response = await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogSiblingAnswered(logger, url, (int)response.StatusCode);
                return null;
            }
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false),
                cancellationToken: timeout.Token).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogSiblingUnavailable(logger, url, ex.Message);
            return null;
        }
    }

    /// <summary>Every string inside an "examples" (or "utterances") array, wherever the intents document keeps them.</summary>
    private static void CollectStrings(JsonElement element, bool inside, List<string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when inside:
                into.Add(element.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectStrings(item, inside, into);
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var isExamples = property.Name is "examples" or "utterances" or "example_utterances";
                    CollectStrings(property.Value, isExamples, into);
                }
                break;
        }
    }

    private static string? TextOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>
    /// The documents' most frequent terms: runs of up to three content words ("parental leave", "vacation days") and
    /// the single words in them, since users ask about things by their names.
    /// </summary>
    internal static IReadOnlyList<string> Terms(IEnumerable<string> texts)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var clause in ClausePattern().Split(text.ToLowerInvariant()))
            {
                var run = new List<string>();
                // Apostrophes stay inside words ("doctor's note"), as the pronunciation dictionary spells them.
                foreach (var word in WordPattern().Matches(clause).Select(m => m.Value.Trim('\'')).Append(""))
                {
                    if (word.Length >= 3 && !StopWords.Contains(word))
                    {
                        run.Add(word);
                        continue;
                    }
                    for (var start = 0; start < run.Count; start++)
                    {
                        for (var length = 1; length <= 3 && start + length <= run.Count; length++)
                        {
                            var term = string.Join(' ', run.Skip(start).Take(length));
                            counts[term] = counts.GetValueOrDefault(term) + 1;
                        }
                    }
                    run.Clear();
                }
            }
        }
        return counts
            .OrderByDescending(c => c.Value).ThenByDescending(c => c.Key.Count(ch => ch == ' ')).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(MaxTerms)
            .Select(c => c.Key)
            .ToList();
    }

    [GeneratedRegex("[.,;:!?()\\n]")]
    private static partial Regex ClausePattern();

    [GeneratedRegex("[a-z']+")]
    private static partial Regex WordPattern();

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Url} answered {Status}; recognising without that vocabulary")]
    private static partial void LogSiblingAnswered(ILogger logger, string url, int status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Url} is unavailable ({Reason}); recognising without that vocabulary")]
    private static partial void LogSiblingUnavailable(ILogger logger, string url, string reason);
}
