using System.Numerics;
using System.Runtime.InteropServices;

namespace DocumentService.Services.Retrieval;

/// <summary>One chunk as the index gets it from the database.</summary>
public readonly record struct IndexedChunk(long Id, string Text, float[] Embedding);

/// <summary>A hit: the chunk's database id and its combined score.</summary>
public readonly record struct IndexHit(long ChunkId, double Score);

/// <summary>
/// The in-memory search structure of one assistant at one knowledge version: an inverted index for BM25 and one
/// contiguous array of unit vectors for cosine similarity. Immutable once built, so searches need no locks; a new
/// version builds a new index. Chunk text is not kept: the few hits are read back from the database.
/// </summary>
public sealed class AssistantIndex
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;

    private readonly long[] _chunkIds;
    private readonly float[] _vectors;
    private readonly int _dimensions;
    private readonly int[] _lengths;
    private readonly float _averageLength;
    private readonly Dictionary<string, Posting[]> _postings;

    private readonly record struct Posting(int Chunk, int Frequency);

    public AssistantIndex(long version, IReadOnlyList<IndexedChunk> chunks)
    {
        Version = version;
        _chunkIds = new long[chunks.Count];
        _lengths = new int[chunks.Count];
        _dimensions = chunks.Count > 0 ? chunks[0].Embedding.Length : 0;
        _vectors = new float[chunks.Count * _dimensions];
        var postings = new Dictionary<string, List<Posting>>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        long totalLength = 0;

        for (var i = 0; i < chunks.Count; i++)
        {
            _chunkIds[i] = chunks[i].Id;
            // A chunk embedded by another model (the provider changed) has no comparable vector: it stays zero.
            if (chunks[i].Embedding.Length == _dimensions)
            {
                chunks[i].Embedding.CopyTo(_vectors, i * _dimensions);
            }

            counts.Clear();
            var tokens = LexicalTokenizer.Tokenize(chunks[i].Text);
            foreach (var token in tokens)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, token, out _)++;
            }
            foreach (var (term, frequency) in counts)
            {
                if (!postings.TryGetValue(term, out var list))
                {
                    postings[term] = list = [];
                }
                list.Add(new Posting(i, frequency));
            }
            _lengths[i] = tokens.Count;
            totalLength += tokens.Count;
        }

        _averageLength = chunks.Count > 0 ? Math.Max(1f, totalLength / (float)chunks.Count) : 1f;
        _postings = postings.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    public long Version { get; }

    public int Count => _chunkIds.Length;

    /// <summary>
    /// Scores every chunk as <c>w·max(cosine, 0) + (1 − w)·bm25 / max(bm25)</c>: BM25 rewards rare exact terms, the
    /// vectors reward overall similarity (and meaning, with a real embedding model); normalising BM25 by the best
    /// score of this query puts both on 0..1. Chunks scoring below <c>minScore</c> are never returned.
    /// </summary>
    public List<IndexHit> Search(IReadOnlyList<string> queryTerms, float[] queryVector, int topK, double vectorWeight, double minScore = 0)
    {
        var count = _chunkIds.Length;
        if (count == 0 || topK <= 0)
        {
            return [];
        }

        var bm25 = new float[count];
        var maxBm25 = 0f;
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            if (!_postings.TryGetValue(term, out var list))
            {
                continue;
            }
            var idf = MathF.Log(1 + (count - list.Length + 0.5f) / (list.Length + 0.5f));
            foreach (var posting in list)
            {
                var tf = posting.Frequency;
                var norm = tf + K1 * (1 - B + B * _lengths[posting.Chunk] / _averageLength);
                var score = bm25[posting.Chunk] += idf * tf * (K1 + 1) / norm;
                maxBm25 = Math.Max(maxBm25, score);
            }
        }

        var useVectors = queryVector.Length == _dimensions && _dimensions > 0 && vectorWeight > 0;
        var lexicalWeight = (float)(1 - (useVectors ? vectorWeight : 0));
        var lexicalScale = maxBm25 > 0 ? lexicalWeight / maxBm25 : 0f;
        var vectorScale = useVectors ? (float)vectorWeight : 0f;

        var top = new PriorityQueue<int, float>(topK + 1);
        for (var i = 0; i < count; i++)
        {
            var score = bm25[i] * lexicalScale;
            if (useVectors)
            {
                score += Math.Max(0f, Dot(_vectors.AsSpan(i * _dimensions, _dimensions), queryVector)) * vectorScale;
            }
            if (score <= 0 || score < minScore)
            {
                continue;
            }
            if (top.Count < topK)
            {
                top.Enqueue(i, score);
            }
            else if (top.TryPeek(out _, out var lowest) && score > lowest)
            {
                top.DequeueEnqueue(i, score);
            }
        }

        var hits = new List<IndexHit>(top.Count);
        while (top.TryDequeue(out var index, out var score))
        {
            hits.Add(new IndexHit(_chunkIds[index], Math.Round(score, 6)));
        }
        hits.Reverse();
        return hits;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        var width = Vector<float>.Count;
        for (; i <= a.Length - width; i += width)
        {
            sum += new Vector<float>(a.Slice(i, width)) * new Vector<float>(b.Slice(i, width));
        }
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }
        return total;
    }
}
