using ServiceDefaults.Caching;
using ServiceDefaults.Errors;

namespace Gateway.Limits;

/// <summary>
/// Shared limits in Redis that degrade, while Redis is unreachable, to this instance's own counts rather than to no
/// limits (fail-open) or to no traffic (fail-closed): every limit still holds per gateway instance, so with N
/// instances a caller may get up to N times a limit until Redis is back (docs/faults.md). Each call tries Redis first,
/// so shared counting resumes with the first call after it reconnects.
/// </summary>
public sealed class LocalFallbackLimitStore(RedisConnection redis, ILimitStore shared, MemoryLimitStore local) : ILimitStore
{
    public async ValueTask<LimitDecision> TryAcquireAsync(IReadOnlyList<LimitRequest> limits, TimeSpan window)
    {
        if (!redis.Multiplexer.IsConnected)
        {
            // Known to be down: no need to wait for a command to time out.
            return await local.TryAcquireAsync(limits, window).ConfigureAwait(false);
        }
        try
        {
            return await shared.TryAcquireAsync(limits, window).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            return await local.TryAcquireAsync(limits, window).ConfigureAwait(false);
        }
    }

    // Settled in Redis only: a reservation made locally during an outage stays charged until its window passes,
    // which errs on the side of the budget, as a settlement Redis cannot take does.
    public Task SettleAsync(string key, long slot, long reservedCost, long actualCost, TimeSpan window) =>
        shared.SettleAsync(key, slot, reservedCost, actualCost, window);
}
