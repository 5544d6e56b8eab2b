using System.Collections.Concurrent;
using IntentCacheService.Model;
using IntentCacheService.Services.Cache;
using IntentCacheService.Services.Classification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ServiceDefaults.Caching;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;

namespace IntentCacheService.Services;

/// <summary>
/// Intent sets: stored in intentdb, trained on first use and held in process, so a lookup never reads the database.
/// A change evicts the trained set here and, through the "intents-changed" channel, in every other instance.
/// </summary>
public sealed class IntentCatalog(
    IServiceScopeFactory scopes, Announcer announcer, IEmbeddingGenerator<string, Embedding<float>> embeddings,
    IOptions<IntentCacheOptions> options, TimeProvider time)
{
    public const string ChangedChannel = "intents-changed";

    private readonly ConcurrentDictionary<string, (TrainedIntentSet? Set, long Until)> _trained = new(StringComparer.Ordinal);

    public async ValueTask<TrainedIntentSet?> GetAsync(string assistantId, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_trained.TryGetValue(assistantId, out var held) && held.Until > now)
        {
            return held.Set;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var row = await db.IntentSets.AsNoTracking().FirstOrDefaultAsync(s => s.AssistantId == assistantId, cancellationToken).ConfigureAwait(false);
        var set = row is null ? null : await TrainedIntentSet.TrainAsync(row, embeddings, options.Value.Threshold, cancellationToken).ConfigureAwait(false);
        _trained[assistantId] = (set, now + (long)(options.Value.IntentSetCacheDuration.TotalSeconds * time.TimestampFrequency));
        return set;
    }

    public async Task<TrainedIntentSet> SaveAsync(string assistantId, string ownerId, PutIntentsRequest request, CancellationToken cancellationToken)
    {
        var intents = IntentSet.WriteIntents(Validate(request));
        var row = await WriteAsync(assistantId, ownerId, request.Threshold, intents, cancellationToken).ConfigureAwait(false);

        var trained = await TrainedIntentSet.TrainAsync(row, embeddings, options.Value.Threshold, cancellationToken).ConfigureAwait(false);
        var held = (trained, time.GetTimestamp() + (long)(options.Value.IntentSetCacheDuration.TotalSeconds * time.TimestampFrequency));
        // PUTs that raced may finish training in any order: the set of the highest revision stays.
        _trained.AddOrUpdate(assistantId, held,
            (_, current) => current.Set is { } other && other.Revision > trained.Revision ? current : held);
        await announcer.TellOthersAsync(ChangedChannel, assistantId, cancellationToken).ConfigureAwait(false);
        return trained;
    }

    /// <summary>
    /// Replaces the set in one transaction: the database itself raises the revision, so PUTs at the same moment each
    /// get their own, and the row read back is this PUT's (the update holds it until the commit). On SQLite the PUTs
    /// wait for each other at the file's write gate, not inside SQLite (see <see cref="DatabaseWriteGate"/>).
    /// </summary>
    private async Task<IntentSet> WriteAsync(string assistantId, string ownerId, double? threshold, string intents, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var updated = await db.IntentSets.Where(s => s.AssistantId == assistantId).ExecuteUpdateAsync(set => set
                .SetProperty(s => s.OwnerId, ownerId)
                .SetProperty(s => s.Threshold, threshold)
                .SetProperty(s => s.IntentsJson, intents)
                .SetProperty(s => s.Revision, s => s.Revision + 1)
                .SetProperty(s => s.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
            if (updated == 0)
            {
                db.IntentSets.Add(new IntentSet
                {
                    AssistantId = assistantId, OwnerId = ownerId, Threshold = threshold, IntentsJson = intents, Revision = 1, UpdatedAt = now,
                });
                try
                {
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DbUpdateException) when (attempt < 3)
                {
                    continue;   // another PUT made the assistant's first set meanwhile: this one updates it instead
                }
            }
            var row = await db.IntentSets.AsNoTracking().FirstAsync(s => s.AssistantId == assistantId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return row;
        }
    }

    public async Task<IReadOnlyList<string>> AssistantsOfAsync(string ownerId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        return await db.IntentSets.AsNoTracking().Where(s => s.OwnerId == ownerId).OrderBy(s => s.AssistantId)
            .Select(s => s.AssistantId).Take(1000).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes an assistant's intent set (it is being deleted); true when there was one.</summary>
    public async Task<bool> DeleteAsync(string assistantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var removed = await db.IntentSets.Where(s => s.AssistantId == assistantId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        Evict(assistantId);
        await announcer.TellOthersAsync(ChangedChannel, assistantId, cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    public void Evict(string assistantId) => _trained.TryRemove(assistantId, out _);

    private static List<IntentDefinition> Validate(PutIntentsRequest request)
    {
        if (request.Threshold is { } t && (double.IsNaN(t) || t < 0 || t > 1))
        {
            throw Bad("threshold must be between 0 and 1.", "threshold");
        }
        if (request.Intents is not { Count: > 0 } intents)
        {
            throw Bad("intents must list at least one intent.", "intents");
        }
        if (intents.Count > IntentRules.MaxIntents)
        {
            throw Bad($"At most {IntentRules.MaxIntents} intents.", "intents");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var cleaned = new List<IntentDefinition>();
        foreach (var intent in intents)
        {
            if (intent is null || !IntentRules.IsSafeName(intent.Name))
            {
                throw Bad("Each intent needs a name of 1-128 letters, digits, '_', '-' or '.'.", "intents.name");
            }
            if (!names.Add(intent.Name))
            {
                throw Bad($"Intent '{intent.Name}' is listed twice.", "intents.name");
            }
            var examples = (intent.Examples ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).ToList();
            if (examples.Count == 0)
            {
                throw Bad($"Intent '{intent.Name}' needs at least one example utterance.", "intents.examples");
            }
            if (examples.Count > IntentRules.MaxExamplesPerIntent || examples.Any(e => e.Length > IntentRules.MaxTextLength))
            {
                throw Bad($"Intent '{intent.Name}': at most {IntentRules.MaxExamplesPerIntent} examples of at most {IntentRules.MaxTextLength} characters.", "intents.examples");
            }
            if (intent.Answer is { Length: > IntentRules.MaxAnswerLength })
            {
                throw Bad($"Intent '{intent.Name}': the fixed answer is longer than {IntentRules.MaxAnswerLength} characters.", "intents.answer");
            }
            cleaned.Add(intent with { Examples = examples, Answer = string.IsNullOrWhiteSpace(intent.Answer) ? null : intent.Answer });
        }
        if (cleaned.Sum(i => i.Examples.Count) > IntentRules.MaxExamplesTotal)
        {
            throw Bad($"At most {IntentRules.MaxExamplesTotal} examples in all.", "intents.examples");
        }
        return cleaned;
    }

    private static ApiException Bad(string message, string param) => new(StatusCodes.Status400BadRequest, $"{message} ({param})", "Bad request", "invalid_request");
}
