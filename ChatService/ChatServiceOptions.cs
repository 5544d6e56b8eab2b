using System.ComponentModel.DataAnnotations;

namespace ChatService;

/// <summary>Settings of the chat service, bound from the "Chat" section.</summary>
public sealed class ChatServiceOptions
{
    public const string SectionName = "Chat";

    /// <summary>The model a plain request falls back to when the provider configuration names none.</summary>
    [Required]
    public string DefaultModel { get; set; } = "gpt-4o-mini";

    /// <summary>
    /// When set, every model call uses this model, whatever an assistant or a request names: code written for
    /// OpenAI keeps saying "gpt-4o" while a local server (Ollama, vLLM, LM Studio) serves the one model it has.
    /// </summary>
    public string? ModelOverride { get; set; }

    /// <summary>
    /// Tokens the prompt may fill (instructions, passages, history); older turns are dropped beyond it. The default is
    /// the default model's (gpt-4o-mini, 128k) less room for its answer: a smaller budget cut a client's history long
    /// before its model would. A model served with a smaller context (a local server's) wants it set to that.
    /// </summary>
    [Range(256, 2_000_000)]
    public int ContextTokens { get; set; } = 120_000;

    /// <summary>Passages retrieved from the assistant's rag documents per question.</summary>
    [Range(0, 50)]
    public int Passages { get; set; } = 4;

    /// <summary>After a sibling fails to answer, it is left alone this long so answers do not wait on it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SiblingCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of the model call on 429/5xx, only before its first token.</summary>
    [Range(0, 10)]
    public int ProviderRetries { get; set; } = 2;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ProviderRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A Retry-After longer than this is not waited for: the failure is reported instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ProviderMaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Pause between words of the offline responder's stream (zero streams as fast as the client reads).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan OfflineWordDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The answer tokens an API key's budget reserves for a call that sets no max tokens of its own.</summary>
    [Range(1, 1_000_000)]
    public int DefaultOutputReserve { get; set; } = 1024;

    /// <summary>The window an API key's tpm budget counts over (a minute; shorter only for tests and benches).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TokenBudgetWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A model that sends nothing this long after the call (no first token) has failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ModelFirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A model whose stream stalls this long between two updates has failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ModelStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 1000)]
    public int MaxListLimit { get; set; } = 100;

    /// <summary>The most assistants one account has at once: each carries knowledge, intents and keys' scopes.</summary>
    [Range(1, 1_000_000)]
    public int MaxAssistantsPerUser { get; set; } = 1000;

    /// <summary>
    /// How long an assistant's knowledge snapshot is reused; a "knowledge-changed" announcement drops it sooner.
    /// Zero asks document-service on every question.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan KnowledgeLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an answer intent-cache-service served is reused for the exact same question with no earlier turns
    /// (CachedAnswers); the platform's change channels drop it sooner. Zero asks intent-cache-service every time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CachedAnswerLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often hits answered from CachedAnswers are reported to intent-cache-service's statistics.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan CachedAnswerReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a response or run stays held by the process making it without a renewal (renewed every quarter of it).
    /// One whose lease ran out was left by a process that stopped: a response is failed; a run in progress is failed,
    /// one being cancelled ends cancelled, and a queued one is executed by the replica that finds it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BackgroundLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many background responses one process makes at once; the rest stay queued (their leases renewed) until one
    /// ends, so a burst of creates cannot open a model call and a database scope each.
    /// </summary>
    [Range(1, 1_000)]
    public int BackgroundConcurrency { get; set; } = 16;
}
