using System.Security.Cryptography;
using System.Text;
using ChatService.Budgets;
using ChatService.Model;
using ChatService.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// One question to answer: who answers (an assistant, or a bare model), and the conversation so far. The token budget
/// is the caller's unless given (a polled run answers after its request, for the key that asked). With
/// <see cref="Truncate"/> the oldest turns that do not fit the context are dropped; without it such a prompt is a 400.
/// <see cref="Compaction"/> marks the call that writes a compaction's summary (<see cref="ResponseCompaction"/>).
/// </summary>
public sealed record TurnInput(
    CallerIdentity Caller,
    AssistantEntity? Assistant,
    string Model,
    string? Instructions,
    string? AdditionalInstructions,
    IReadOnlyList<AIChatMessage> Turns,
    double? Temperature = null,
    double? TopP = null,
    int? MaxOutputTokens = null,
    IList<AITool>? Tools = null,
    ChatToolMode? ToolMode = null,
    IReadOnlyList<KnowledgePassage>? Passages = null,
    TokenBudget? Budget = null,
    OutputShape? Shape = null,
    int? MaxPromptTokens = null,
    bool? AllowMultipleToolCalls = null,
    bool Truncate = true,
    ModelControls? Controls = null,
    bool Compaction = false,
    EndUser? EndUser = null,
    bool SearchNamedStores = true);

/// <summary>
/// The way every answer is made (runs, chat completions, channel chats, /api/ask): intent cache first, then the
/// assistant's knowledge and the history into a prompt, then the model, streamed.
/// </summary>
public sealed partial class ChatEngine(
    IChatClient model,
    KnowledgeClient knowledge,
    FileSearchClient fileSearch,
    IntentCacheClient intentCache,
    CachedAnswers cachedAnswers,
    ModelSecrets secrets,
    IOptions<ChatServiceOptions> options,
    ILogger<ChatEngine> logger)
{
    public Task<KnowledgeSnapshot> GetKnowledgeAsync(AssistantEntity? assistant, CallerIdentity caller, CancellationToken cancellationToken) =>
        assistant is null ? Task.FromResult(KnowledgeSnapshot.None) : knowledge.GetKnowledgeAsync(assistant.Id, caller, cancellationToken);

    /// <summary>
    /// What a thread's context depends on: the assistant's instructions and its knowledge version. A thread whose
    /// fingerprint changed starts from fresh context. Null when the knowledge could not be asked (no reset then).
    /// </summary>
    public static string? Fingerprint(AssistantEntity assistant, KnowledgeSnapshot snapshot)
    {
        if (snapshot.Version is null)
        {
            return null;
        }
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{assistant.Instructions}\0{snapshot.Version}"));
        return Convert.ToHexStringLower(bytes.AsSpan(0, 12));
    }

    /// <summary>
    /// The refusals of <see cref="StartAsync"/> that depend on the request alone, for a turn started later (a background
    /// response), so they are the create's 400 as they are for one answered at once.
    /// </summary>
    public void CheckAnswerable(TurnInput input) => input.Controls?.CheckAnswerable(model);

    public async Task<ChatTurn> StartAsync(TurnInput input, KnowledgeSnapshot snapshot, CancellationToken cancellationToken)
    {
        CheckAnswerable(input);
        var users = input.Turns.Where(t => t.Role == ChatRole.User).Select(t => t.Text).ToList();
        var question = users.LastOrDefault() ?? "";
        var context = users.Take(users.Count - 1).TakeLast(3).ToList();

        // The cache first and retrieval only on a miss: a hit then costs no search at all, and a miss, which waits
        // for a model for hundreds of milliseconds anyway, pays about one millisecond for the lookup.
        // With tools the answer may be a call whose result the cache cannot know, and after a function's output the
        // answer depends on that output, so neither is read from the cache nor written to it.
        // Passages found by a file search are cited in the answer, which a cached answer would not be. A stored
        // answer was not made with the effort or verbosity a request asks for.
        // A cached answer is the assistant's own: made with its instructions and model, so a request that brings
        // instructions of its own ("answer in French") or another model is neither answered from the cache nor stored.
        // The cache is told when an assistant's own documents change, not when the vector stores it names do, so an
        // assistant that searches those is answered by the model.
        // A participant's name reaches the model, which may answer with it ("Hi Alice"), so a named turn is no one's FAQ.
        var stores = NamedStores(input);
        var cacheable = input.Tools is not { Count: > 0 } && !input.Turns.Any(t => t.Role == ChatRole.Tool || t.AuthorName is not null)
            && input.Passages is null && (input.Shape?.AllowsCachedAnswer ?? true) && input.Controls is null
            && input.Assistant is { } own && input.Instructions == own.Instructions
            && string.IsNullOrWhiteSpace(input.AdditionalInstructions) && input.Model == own.Model
            && stores.Count == 0;
        if (cacheable && input.Assistant is { } assistant && question.Length > 0)
        {
            // Without earlier turns the cache's verdict depends on the text alone, so a repeat may be answered here.
            var alone = context.Count == 0;
            if (alone && cachedAnswers.TryGet(input.Caller, assistant.Id, snapshot.Version, question, out var repeated) && Fits(repeated, input))
            {
                return ChatTurn.FromCache(repeated);
            }
            var generation = cachedAnswers.Generation;
            var cached = await intentCache.LookupAsync(assistant.Id, question, context, snapshot.Version, input.Caller, cancellationToken).ConfigureAwait(false);
            if (cached is not null && Fits(cached, input))
            {
                if (alone)
                {
                    cachedAnswers.Remember(input.Caller, assistant.Id, snapshot.Version, question, cached, generation);
                }
                return ChatTurn.FromCache(cached);
            }
        }

        var passages = await PassagesAsync(input, question, stores, cancellationToken).ConfigureAwait(false);
        var messages = PromptBuilder.Build(input.Instructions, input.AdditionalInstructions, snapshot, passages, input.Turns, ContextBudget(input), input.Truncate);

        var chatOptions = new Microsoft.Extensions.AI.ChatOptions
        {
            ModelId = string.IsNullOrWhiteSpace(options.Value.ModelOverride) ? input.Model : options.Value.ModelOverride,
            Temperature = (float?)input.Temperature,
            TopP = (float?)input.TopP,
            MaxOutputTokens = input.MaxOutputTokens,
            Tools = input.Tools,
            ToolMode = input.Tools is { Count: > 0 } ? input.ToolMode : null,
            AllowMultipleToolCalls = input.Tools is { Count: > 0 } ? input.AllowMultipleToolCalls : null,
        };
        chatOptions.AdditionalProperties = [];
        input.Shape?.ApplyTo(chatOptions);
        if (input.Compaction)
        {
            chatOptions.AdditionalProperties[ResponseCompaction.PropertyKey] = true;
        }
        input.Controls?.ApplyTo(chatOptions);
        input.EndUser?.ApplyTo(chatOptions);
        if ((input.Budget ?? TokenBudget.Of(input.Caller)) is { } budget)
        {
            chatOptions.AdditionalProperties[TokenBudget.PropertyKey] = budget;
        }
        if (input.Assistant is not null || input.Passages is not null)
        {
            // The offline responder answers from these; a real model reads them in the system message instead.
            chatOptions.AdditionalProperties[PromptBuilder.PassagesKey] = (IReadOnlyList<KnowledgePassage>)[.. passages, .. snapshot.Instructions
                .Select(d => new KnowledgePassage(d.DocumentId, d.Filename, d.Text, 0))];
            if (input.Passages is not null)
            {
                chatOptions.AdditionalProperties[PromptBuilder.CitationsKey] = true;
            }
        }

        // Only an answer to a conversation's first turn is stored: one made with earlier turns may carry what they
        // said (a name, an account number) to everyone else who asks the same intent.
        Func<string, CancellationToken, Task> store = cacheable && input.Turns.Count == 1 && input.Assistant is { } owner && question.Length > 0
            ? (answer, ct) => intentCache.StoreAsync(owner.Id, question, context, snapshot.Version, answer, input.Caller, ct)
            : (_, _) => Task.CompletedTask;
        return new ChatTurn(model, messages, chatOptions, store, secrets);
    }

    /// <summary>A cached answer longer than the request lets the model write is not served: the model, capped, answers.</summary>
    private static bool Fits(CachedAnswer cached, TurnInput input) =>
        input.MaxOutputTokens is not { } most || TokenEstimator.Count(cached.Answer) <= most;

    /// <summary>
    /// The input tokens of the prompt <see cref="StartAsync"/> would send the model (passages retrieved, the oldest
    /// turns dropped when the input truncates), counted as usage counts them when the model reports none. A prompt
    /// that does not truncate is counted whole, never refused: counting is how a client learns it is too long.
    /// </summary>
    public async Task<int> CountPromptAsync(TurnInput input, KnowledgeSnapshot snapshot, CancellationToken cancellationToken)
    {
        var question = input.Turns.LastOrDefault(t => t.Role == ChatRole.User)?.Text ?? "";
        var passages = await PassagesAsync(input, question, NamedStores(input), cancellationToken).ConfigureAwait(false);
        var messages = PromptBuilder.Build(input.Instructions, input.AdditionalInstructions, snapshot, passages, input.Turns,
            input.Truncate ? ContextBudget(input) : int.MaxValue);
        return TokenEstimator.Count(messages);
    }

    /// <param name="stores">The turn's <see cref="NamedStores"/>, read once for the cache's decision and the search.</param>
    private async Task<IReadOnlyList<KnowledgePassage>> PassagesAsync(
        TurnInput input, string question, IReadOnlyList<string> stores, CancellationToken cancellationToken)
    {
        if (input.Passages is { } searched)
        {
            return searched;
        }
        if (input.Assistant is not { } assistant || options.Value.Passages == 0)
        {
            return [];
        }
        if (stores.Count > 0)
        {
            // As a run of the assistant searches them: its own documents and the stores it names, as their owner (the
            // stores were checked against the owner when named), one gone meanwhile read as empty.
            try
            {
                var found = await fileSearch.SearchAsync([ToolResources.OwnStore(assistant.Id), .. stores],
                    new FileSearchQuery(question, options.Value.Passages), new CallerIdentity(assistant.OwnerId), cancellationToken, skipGone: true)
                    .ConfigureAwait(false);
                return [.. found.Select(r => r.ToPassage())];
            }
            catch (ServiceDefaults.Errors.ApiException refused)
            {
                // Knowledge is optional: a store that expired or a document-service that is down leaves the assistant
                // its own documents, as any failure of theirs leaves it without, never an answer refused.
                LogStoresUnsearched(logger, assistant.Id, refused.StatusCode, refused.Message);
            }
        }
        return await knowledge.SearchAsync(assistant.Id, question, options.Value.Passages, input.Caller, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The vector stores this turn searches for its assistant besides its own documents (a run searches its own).</summary>
    private static IReadOnlyList<string> NamedStores(TurnInput input) =>
        input.SearchNamedStores && input.Assistant is { } assistant ? ToolResources.SearchedBy(assistant) : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assistant {AssistantId} answered from its own documents only: its vector stores' search failed ({Status}: {Reason})")]
    private static partial void LogStoresUnsearched(ILogger logger, string assistantId, int status, string reason);

    private int ContextBudget(TurnInput input)
    {
        var budget = input.MaxPromptTokens is { } cap ? Math.Min(cap, options.Value.ContextTokens) : options.Value.ContextTokens;
        // A prompt larger than its API key may spend in a minute is refused (429) every time: a thread that grew past it
        // could never be answered again. When the input may be trimmed, it is trimmed to what the key can pay for.
        if (input.Truncate && (input.Budget ?? TokenBudget.Of(input.Caller)) is { } key)
        {
            budget = Math.Min(budget, Math.Max(1, key.TokensPerMinute - (input.MaxOutputTokens ?? options.Value.DefaultOutputReserve)));
        }
        return budget;
    }
}
