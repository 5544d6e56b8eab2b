using Microsoft.Extensions.AI;

namespace DocumentService.Services.Retrieval;

/// <summary>
/// Lexical vectors by feature hashing: the embedded default before the MiniLM model, kept as the baseline that
/// retrieval quality is measured against (RetrievalQualityTests) since it knows words, not meaning. Each term (and each pair of neighbouring terms, which
/// rewards phrases) adds a signed weight to one of <c>dimensions</c> slots; the vector is then unit length, so a dot
/// product is a cosine. Deterministic, offline, and fast enough to embed megabytes a second.
/// </summary>
public sealed class HashedEmbeddingGenerator(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "hashed-lexical";

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            result.Add(new Embedding<float>(Embed(value)) { ModelId = ModelId });
        }
        return Task.FromResult(result);
    }

    public float[] Embed(string text)
    {
        var vector = new float[dimensions];
        var tokens = LexicalTokenizer.Tokenize(text);
        for (var i = 0; i < tokens.Count; i++)
        {
            Add(vector, Hash(tokens[i], 0), 1f);
            if (i > 0)
            {
                Add(vector, Hash(tokens[i], Hash(tokens[i - 1], 0x9E3779B9)), 0.5f);
            }
        }
        // Sub-linear term frequency: a word said ten times is not ten times as telling.
        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            var v = vector[i];
            vector[i] = MathF.Sign(v) * MathF.Log(1 + MathF.Abs(v));
            norm += vector[i] * vector[i];
        }
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] *= scale;
            }
        }
        return vector;
    }

    private void Add(float[] vector, uint hash, float weight)
    {
        // The top bit picks the sign, so collisions cancel out on average instead of piling up.
        var slot = (int)((hash & 0x7FFFFFFF) % (uint)dimensions);
        vector[slot] += (hash & 0x80000000) != 0 ? -weight : weight;
    }

    /// <summary>FNV-1a, stable across processes (string.GetHashCode is randomised per process).</summary>
    private static uint Hash(string text, uint seed)
    {
        var hash = 2166136261u ^ seed;
        foreach (var ch in text)
        {
            hash = (hash ^ ch) * 16777619u;
        }
        // A final mix so that the low bits (the slot) depend on every character.
        hash ^= hash >> 15;
        hash *= 0x2C1B3C6Du;
        hash ^= hash >> 12;
        return hash;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
