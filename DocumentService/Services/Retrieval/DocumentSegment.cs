using System.Runtime.InteropServices;

namespace DocumentService.Services.Retrieval;

/// <summary>One chunk as the index gets it from the database.</summary>
public readonly record struct IndexedChunk(long Id, string Text, float[] Embedding);

/// <summary>
/// The searchable form of one version of one document: postings for BM25 and one contiguous array of unit vectors.
/// An assistant's index is a set of these, so a change re-reads and re-tokenizes only the documents that changed.
/// Immutable once built; searches need no locks.
/// </summary>
public sealed class DocumentSegment
{
    public DocumentSegment(string documentId, long documentVersion, IReadOnlyList<IndexedChunk> chunks)
    {
        DocumentId = documentId;
        DocumentVersion = documentVersion;
        ChunkIds = new long[chunks.Count];
        Lengths = new int[chunks.Count];
        Dimensions = chunks.Count > 0 ? chunks[0].Embedding.Length : 0;
        Vectors = new float[chunks.Count * Dimensions];
        var postings = new Dictionary<string, List<Posting>>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < chunks.Count; i++)
        {
            ChunkIds[i] = chunks[i].Id;
            // A chunk embedded by another model (the provider changed) has no comparable vector: it stays zero.
            if (chunks[i].Embedding.Length == Dimensions)
            {
                chunks[i].Embedding.CopyTo(Vectors, i * Dimensions);
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
            Lengths[i] = tokens.Count;
            TotalLength += tokens.Count;
        }
        Postings = postings.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    public string DocumentId { get; }

    public long DocumentVersion { get; }

    public long[] ChunkIds { get; }

    public int[] Lengths { get; }

    public long TotalLength { get; }

    public int Dimensions { get; }

    public float[] Vectors { get; }

    public Dictionary<string, Posting[]> Postings { get; }

    public int Count => ChunkIds.Length;
}

public readonly record struct Posting(int Chunk, int Frequency);
