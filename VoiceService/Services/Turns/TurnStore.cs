using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServiceDefaults.Caching;
using ServiceDefaults.Json;

namespace VoiceService.Services.Turns;

/// <summary>
/// Per-user voice turn records in the key/value store (Redis when configured): a counter per user numbers the
/// turns, each turn is one key, and the newest are read back by counting down. Records expire after 30 days; only
/// the last <see cref="VoiceOptions.TurnsKept"/> are listed.
/// </summary>
public sealed class TurnStore(IKeyValueStore store, IOptions<VoiceOptions> options)
{
    private static readonly TimeSpan Keep = TimeSpan.FromDays(30);

    public async Task SaveAsync(string userId, VoiceTurn turn, CancellationToken cancellationToken)
    {
        var number = await store.IncrementAsync(CounterKey(userId), cancellationToken: cancellationToken).ConfigureAwait(false);
        await store.SetAsync(TurnKey(userId, number), JsonSerializer.Serialize(turn, JsonDefaults.Options), Keep, cancellationToken).ConfigureAwait(false);
        await store.DeleteAsync(TurnKey(userId, number - options.Value.TurnsKept), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The user's newest turns (those <paramref name="visible"/> lets through, if given), newest first.</summary>
    public async Task<IReadOnlyList<VoiceTurn>> ListAsync(string userId, int limit, Func<VoiceTurn, bool>? visible,
        CancellationToken cancellationToken)
    {
        var counter = await store.GetAsync(CounterKey(userId), cancellationToken).ConfigureAwait(false);
        if (!long.TryParse(counter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var newest))
        {
            return [];
        }
        // Hidden turns make room for older ones, so then every kept turn may have to be read.
        var oldest = Math.Max(1, newest - (visible is null ? Math.Min(limit, options.Value.TurnsKept) : options.Value.TurnsKept) + 1);
        var reads = new List<Task<string?>>();
        for (var n = newest; n >= oldest; n--)
        {
            reads.Add(store.GetAsync(TurnKey(userId, n), cancellationToken));
        }
        var turns = new List<VoiceTurn>();
        foreach (var json in await Task.WhenAll(reads).ConfigureAwait(false))
        {
            if (json is not null && JsonSerializer.Deserialize<VoiceTurn>(json, JsonDefaults.Options) is { } turn && (visible is null || visible(turn)))
            {
                turns.Add(turn);
                if (turns.Count == limit)
                {
                    break;
                }
            }
        }
        return turns;
    }

    private static string CounterKey(string userId) => $"voice:turns:{userId}:count";

    private static string TurnKey(string userId, long number) =>
        $"voice:turns:{userId}:{number.ToString(CultureInfo.InvariantCulture)}";
}
