using System.Numerics;

namespace DocumentService.Services.Retrieval;

/// <summary>A hit: the chunk's database id and its combined score.</summary>
public readonly record struct IndexHit(long ChunkId, double Score);

/// <summary>
/// The in-memory search structure of one assistant at one knowledge version: its documents' segments, with BM25
/// statistics (chunk count, average length, document frequencies) taken over all of them, so scores are the same
/// as one big index would give. Chunk text is not kept: the few hits are read back from the database.
/// </summary>
public sealed class AssistantIndex
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;

    private readonly DocumentSegment[] _segments;
    private readonly float _averageLength;

    public AssistantIndex(long version, IEnumerable<DocumentSegment> segments)
    {
        Version = version;
        _segments = [.. segments.Where(s => s.Count > 0)];
        Count = _segments.Sum(s => s.Count);
        _averageLength = Count > 0 ? Math.Max(1f, _segments.Sum(s => s.TotalLength) / (float)Count) : 1f;
    }

    public long Version { get; }

    public int Count { get; }

    public IReadOnlyList<DocumentSegment> Segments => _segments;

    /// <summary>
    /// Scores every chunk as <c>w·max(cosine, 0) + (1 − w)·bm25 / max(bm25)</c>: BM25 rewards rare exact terms, the
    /// vectors reward overall similarity (and meaning, with a real embedding model); normalising BM25 by the best
    /// score of this query puts both on 0..1. When even the best chunk scores below <c>minScore</c> the question is
    /// about nothing here and nothing is returned; otherwise the top k come back down to half of it, since the right
    /// passage of a loosely worded question can sit second or third with a modest score.
    /// </summary>
    /// <param name="include">When given, only documents it accepts are scored (a vector store search's filters).</param>
    public List<IndexHit> Search(IReadOnlyList<string> queryTerms, float[] queryVector, int topK, double vectorWeight, double minScore = 0,
        Func<string, bool>? include = null)
    {
        if (Count == 0 || topK <= 0)
        {
            return [];
        }

        var terms = queryTerms.Distinct(StringComparer.Ordinal).ToList();
        var idf = new float[terms.Count];
        for (var t = 0; t < terms.Count; t++)
        {
            var frequency = 0;
            foreach (var segment in _segments)
            {
                frequency += segment.Postings.TryGetValue(terms[t], out var list) ? list.Length : 0;
            }
            idf[t] = MathF.Log(1 + (Count - frequency + 0.5f) / (frequency + 0.5f));
        }

        // First pass: BM25 of every chunk, for the best score that normalises them.
        var bm25 = new float[_segments.Length][];
        var maxBm25 = 0f;
        for (var s = 0; s < _segments.Length; s++)
        {
            var segment = _segments[s];
            var scores = bm25[s] = new float[segment.Count];
            if (include is not null && !include(segment.DocumentId))
            {
                continue;
            }
            for (var t = 0; t < terms.Count; t++)
            {
                if (!segment.Postings.TryGetValue(terms[t], out var list))
                {
                    continue;
                }
                foreach (var posting in list)
                {
                    var tf = posting.Frequency;
                    var norm = tf + K1 * (1 - B + B * segment.Lengths[posting.Chunk] / _averageLength);
                    var score = scores[posting.Chunk] += idf[t] * tf * (K1 + 1) / norm;
                    maxBm25 = Math.Max(maxBm25, score);
                }
            }
        }

        var useVectors = queryVector.Length > 0 && vectorWeight > 0;
        var lexicalScale = maxBm25 > 0 ? (float)(1 - (useVectors ? vectorWeight : 0)) / maxBm25 : 0f;
        var vectorScale = useVectors ? (float)vectorWeight : 0f;

        // Second pass: combine with cosine and keep the best k in a small heap.
        var top = new PriorityQueue<long, float>(topK + 1);
        for (var s = 0; s < _segments.Length; s++)
        {
            var segment = _segments[s];
            if (include is not null && !include(segment.DocumentId))
            {
                continue;
            }
            var vectors = useVectors && segment.Dimensions == queryVector.Length;
            for (var i = 0; i < segment.Count; i++)
            {
                var score = bm25[s][i] * lexicalScale;
                if (vectors)
                {
                    score += Math.Max(0f, Dot(segment.Vectors.AsSpan(i * segment.Dimensions, segment.Dimensions), queryVector)) * vectorScale;
                }
                if (score <= 0 || score < minScore / 2)
                {
                    continue;
                }
                if (top.Count < topK)
                {
                    top.Enqueue(segment.ChunkIds[i], score);
                }
                else if (top.TryPeek(out _, out var lowest) && score > lowest)
                {
                    top.DequeueEnqueue(segment.ChunkIds[i], score);
                }
            }
        }

        if (top.Count == 0 || top.UnorderedItems.Max(i => i.Priority) < minScore)
        {
            return [];
        }
        var hits = new List<IndexHit>(top.Count);
        while (top.TryDequeue(out var id, out var score))
        {
            hits.Add(new IndexHit(id, Math.Round(score, 6)));
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
