using IntentCacheService.Model;
using Microsoft.Extensions.AI;
using Embeddings;

namespace IntentCacheService.Services.Classification;

/// <summary>An assistant's intents, trained and ready: what every lookup needs, held in process.</summary>
public sealed class TrainedIntentSet(
    IntentSet row, IReadOnlyList<IntentDefinition> intents, EmbeddingIntentModel model, string embeddingModel, double defaultThreshold)
{
    public string AssistantId { get; } = row.AssistantId;

    public string OwnerId { get; } = row.OwnerId;

    public int Revision { get; } = row.Revision;

    public long UpdatedAt { get; } = row.UpdatedAt;

    public double Threshold { get; } = row.Threshold ?? defaultThreshold;

    public bool ThresholdIsDefault { get; } = row.Threshold is null;

    public IReadOnlyList<IntentDefinition> Intents { get; } = intents;

    public IReadOnlyDictionary<string, IntentDefinition> ByName { get; } =
        intents.ToDictionary(i => i.Name, StringComparer.Ordinal);

    public EmbeddingIntentModel Model { get; } = model;

    /// <summary>The embedding model the examples were embedded with (and utterances must be).</summary>
    public string EmbeddingModel { get; } = embeddingModel;

    /// <summary>
    /// Classifications already made against this very set: a cache is asked the same questions over and over, and the
    /// answer for a text cannot change while the set does not (a changed set is a new instance with an empty memo).
    /// </summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, MemoizedGate> Memo { get; } = new(StringComparer.Ordinal);

    /// <summary>Computed on first read (GET shows it), not on every load.</summary>
    public double LeaveOneOutAccuracy => _leaveOneOut.Value;

    private readonly Lazy<double> _leaveOneOut = new(() => model.LeaveOneOutAccuracy());

    /// <summary>Embeds every example in one batch: once per change of the intent set, not per question.</summary>
    public static async Task<TrainedIntentSet> TrainAsync(
        IntentSet row, IEmbeddingGenerator<string, Embedding<float>> embeddings, double defaultThreshold, CancellationToken cancellationToken)
    {
        var intents = row.ReadIntents();
        var vectors = await embeddings.GenerateAsync(intents.SelectMany(i => i.Examples), cancellationToken: cancellationToken).ConfigureAwait(false);
        var model = new EmbeddingIntentModel(
            [.. intents.Select(i => new IntentTrainingSet(i.Name, i.Examples))], [.. vectors.Select(v => v.Vector.ToArray())]);
        return new TrainedIntentSet(row, intents, model, embeddings.ModelName(), defaultThreshold);
    }

    /// <summary>The memo's key: an exact repeat is answered without the model.</summary>
    public static string Normalise(string text) => ServiceDefaults.Caching.QuestionText.Normalise(text);
}

/// <summary>
/// What is known about a text once: its classification, and whether it leans on the thread with and without earlier
/// turns (the only two cases <see cref="FollowUpDetector"/> tells apart).
/// </summary>
public sealed record MemoizedGate(IntentClassification Classification, bool DependentWithContext, bool DependentAlone);

/// <summary>
/// Says which of an assistant's intents an utterance expresses. The local classifier is the default; Wit.ai can
/// stand in (configuration), answering with the same shape so the cache does not care which one spoke.
/// </summary>
public interface IIntentClassifier
{
    string Name { get; }

    ValueTask<IntentClassification> ClassifyAsync(TrainedIntentSet set, string text, CancellationToken cancellationToken);
}

/// <summary>The local classifier: the utterance's embedding against the examples' (EmbeddingIntentModel).</summary>
public sealed class LocalIntentClassifier(IEmbeddingGenerator<string, Embedding<float>> embeddings) : IIntentClassifier
{
    public string Name => "local";

    public async ValueTask<IntentClassification> ClassifyAsync(TrainedIntentSet set, string text, CancellationToken cancellationToken)
    {
        var vector = await embeddings.GenerateVectorAsync(text, cancellationToken: cancellationToken).ConfigureAwait(false);
        return set.Model.Classify(vector.Span, set.Threshold);
    }
}
