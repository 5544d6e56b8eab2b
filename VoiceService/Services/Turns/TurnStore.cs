using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServiceDefaults.Caching;
using ServiceDefaults.Json;

namespace VoiceService.Services.Turns;

/// <summary>
/// Per-user voice turn records in the key/value store (Redis when configured): a counter per user numbers the
/// turns, each turn is one key, and the kept ones are read back by counting down. Records expire after 30 days; only
/// the last <see cref="VoiceOptions.TurnsKept"/> are kept.
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

    /// <summary>
    /// Every kept turn of the user (those <paramref name="visible"/> lets through, if given) with its number, which
    /// orders turns as they were made (two in one second included); newest first.
    /// </summary>
    public async Task<IReadOnlyList<(long Number, VoiceTurn Turn)>> ListAsync(string userId, Func<VoiceTurn, bool>? visible,
        CancellationToken cancellationToken)
    {
        var counter = await store.GetAsync(CounterKey(userId), cancellationToken).ConfigureAwait(false);
        if (!long.TryParse(counter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var newest))
        {
            return [];
        }
        var numbers = new List<long>();
        for (var n = newest; n >= Math.Max(1, newest - options.Value.TurnsKept + 1); n--)
        {
            numbers.Add(n);
        }
        var reads = await Task.WhenAll(numbers.Select(n => store.GetAsync(TurnKey(userId, n), cancellationToken))).ConfigureAwait(false);
        var turns = new List<(long, VoiceTurn)>();
        for (var i = 0; i < numbers.Count; i++)
        {
            if (reads[i] is { } json && JsonSerializer.Deserialize<VoiceTurn>(json, JsonDefaults.Options) is { } turn && (visible is null || visible(turn)))
            {
                turns.Add((numbers[i], turn));
            }
        }
        return turns;
    }

    private static string CounterKey(string userId) => $"voice:turns:{userId}:count";

    private static string TurnKey(string userId, long number) =>
        $"voice:turns:{userId}:{number.ToString(CultureInfo.InvariantCulture)}";
}
