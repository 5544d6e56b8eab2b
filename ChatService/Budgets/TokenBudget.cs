using ServiceDefaults.Identity;

namespace ChatService.Budgets;

/// <summary>An API key's tokens-per-minute budget, as the gateway vouched for it in the caller identity.</summary>
public sealed record TokenBudget(string KeyId, int TokensPerMinute)
{
    /// <summary>The key ChatOptions.AdditionalProperties carries a call's budget under, for calls made outside a request.</summary>
    public const string PropertyKey = "platform.token_budget";

    /// <summary>The caller's budget, or null when it has none (a user's session, a key without tpm).</summary>
    public static TokenBudget? Of(CallerIdentity? caller) =>
        caller is { KeyId: { } key, Tpm: { } tpm } ? new TokenBudget(key, tpm) : null;
}

/// <summary>
/// What a reservation got: when <see cref="Allowed"/>, room for the prompt and <see cref="OutputTokens"/> of answer,
/// recorded in <see cref="Bucket"/>; when refused, how long until enough room frees up.
/// </summary>
public sealed record BudgetGrant(bool Allowed, long Reserved, long OutputTokens, long Bucket, long Used, long Limit, TimeSpan RetryAfter);

/// <summary>
/// Sliding one-window token budgets shared by every chat-service replica: reserve before a model call, settle after.
/// Both operations are atomic, so concurrent calls together never hold more than the limit.
/// </summary>
public interface ITokenBudgetStore
{
    /// <summary>
    /// Reserves the prompt plus as much answer as fits, up to <paramref name="maxOutput"/>; refuses when not even
    /// <paramref name="minOutput"/> tokens of answer fit after the prompt.
    /// </summary>
    Task<BudgetGrant> ReserveAsync(string key, long limit, long prompt, long maxOutput, long minOutput);

    /// <summary>Replaces a reservation with what was really used (zero releases it whole).</summary>
    Task SettleAsync(string key, BudgetGrant grant, long actual);
}
