using System.Runtime.CompilerServices;
using ChatService.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ServiceDefaults.Tokens;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;

namespace ChatService.Budgets;

/// <summary>
/// Keeps an API key's tokens per minute exact across every kind of answer (streams, polled runs, voice, responses):
/// each model call reserves its prompt (counted with the real tokenizer, plus OpenAI's per-message framing) and as
/// much answer as fits before it starts, is sent with max output tokens capped to that, and is settled to the usage
/// the model reported (or to what was delivered, when it reported none) when it ends, however it ends. The budget is
/// the call's <see cref="TokenBudget.PropertyKey"/> option, else the vouched caller of the request being served.
/// </summary>
public sealed partial class BudgetedChatClient(
    IChatClient inner, ITokenBudgetStore store, IOptions<ChatServiceOptions> options,
    ILogger<BudgetedChatClient> logger) : DelegatingChatClient(inner)
{
    // OpenAI's chat format spends a few tokens around every message and primes the reply with three more.
    private const int TokensPerMessage = 4;
    private const int TokensForReply = 3;

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        if (await ReserveAsync(list, chatOptions).ConfigureAwait(false) is not { } lease)
        {
            return await base.GetResponseAsync(list, chatOptions, cancellationToken).ConfigureAwait(false);
        }
        long used = 0;
        try
        {
            var response = await base.GetResponseAsync(list, lease.Options, cancellationToken).ConfigureAwait(false);
            used = lease.Used(response.Usage, TokenCounter.Count(response.Text, lease.Options.ModelId));
            return response;
        }
        finally
        {
            await SettleAsync(lease, used).ConfigureAwait(false);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        if (await ReserveAsync(list, chatOptions).ConfigureAwait(false) is not { } lease)
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, chatOptions, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
            yield break;
        }

        UsageDetails? usage = null;
        long output = 0;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, lease.Options, cancellationToken).ConfigureAwait(false))
            {
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent reported)
                    {
                        usage = reported.Details;
                    }
                }
                // Counted delta by delta (a little over a whole-text count, so the safe side): a model that ignores
                // max_tokens is cut off at the reservation rather than spend past the budget.
                var tokens = TokenCounter.Count(update.Text, lease.Options.ModelId);
                if (output + tokens > lease.Grant.OutputTokens)
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, []) { FinishReason = ChatFinishReason.Length };
                    yield break;
                }
                output += tokens;
                yield return update;
            }
        }
        finally
        {
            await SettleAsync(lease, lease.Used(usage, output)).ConfigureAwait(false);
        }
    }

    private async Task<Lease?> ReserveAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? chatOptions)
    {
        var budget = chatOptions?.AdditionalProperties?.TryGetValue(TokenBudget.PropertyKey, out var value) == true && value is TokenBudget given
            ? given
            : TokenBudget.Of(AmbientCaller.Caller);
        if (budget is null)
        {
            return null;
        }
        var model = chatOptions?.ModelId;
        var prompt = TokensForReply + messages.Sum(m => TokensPerMessage + TokenCounter.Count(TokenEstimator.Readable(m), model));
        var wanted = chatOptions?.MaxOutputTokens ?? options.Value.DefaultOutputReserve;
        var grant = await store.ReserveAsync(budget.KeyId, budget.TokensPerMinute, prompt, wanted, minOutput: 1).ConfigureAwait(false);
        if (!grant.Allowed)
        {
            // The words name the wait the Retry-After header names (capped below a minute for the SDKs).
            var seconds = RetryAfter.Header(grant.RetryAfter);
            throw new ApiException(StatusCodes.Status429TooManyRequests,
                prompt + 1 > budget.TokensPerMinute
                    ? $"This request needs more tokens than the API key's budget of {budget.TokensPerMinute} per minute."
                    : $"The API key's budget of {budget.TokensPerMinute} tokens per minute is spent; retry after {seconds} s.",
                "Too many requests", "rate_limit_exceeded") { RetryAfter = grant.RetryAfter };
        }
        var capped = chatOptions?.Clone() ?? new ChatOptions();
        capped.MaxOutputTokens = (int)grant.OutputTokens;
        return new Lease(budget, grant, prompt, capped);
    }

    private async Task SettleAsync(Lease lease, long used)
    {
        try
        {
            await store.SettleAsync(lease.Budget.KeyId, lease.Grant, used).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiException or OperationCanceledException)
        {
            // The answer is over; a settlement that cannot be made leaves the whole reservation charged for one
            // window, which errs on the side of the budget.
            LogSettleFailed(logger, ex, lease.Budget.KeyId);
        }
    }

    private sealed record Lease(TokenBudget Budget, BudgetGrant Grant, long Prompt, ChatOptions Options)
    {
        /// <summary>
        /// The model's own count when it gave one; else the prompt and what was delivered, or nothing when nothing
        /// was (a call refused or failed before its first token spends no tokens).
        /// </summary>
        public long Used(UsageDetails? usage, long delivered) =>
            usage?.TotalTokenCount
            ?? (usage is { InputTokenCount: { } input } ? input + (usage.OutputTokenCount ?? delivered) : (long?)null)
            ?? (delivered > 0 ? Math.Min(Grant.Reserved, Prompt + delivered) : 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The token budget of key {KeyId} could not be settled")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string keyId);
}
