using System.Collections.Concurrent;
using DocumentService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Embeddings;

namespace DocumentService.Services.Retrieval;

public sealed record SearchHit(string DocumentId, string Filename, int ChunkIndex, double Score, string Text);

/// <summary>
/// Retrieval over an assistant's rag chunks. Each search reads the assistant's knowledge version (one primary-key
/// read) and uses the in-memory index built for exactly that version, building it from the database when the version
/// moved. The database stays the truth: every instance, with or without Redis, serves what was committed, and a
/// replacement that failed never reaches the index because it never committed.
/// </summary>
public sealed class KnowledgeSearch(
    IServiceScopeFactory scopes,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    IOptions<DocumentsOptions> options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<AssistantIndex>>> _indexes = new(StringComparer.Ordinal);

    public Task<List<SearchHit>> SearchAsync(string assistantId, string query, int topK, CancellationToken cancellationToken) =>
        SearchAsync(assistantId, [query], topK, options.Value.MinScore, null, cancellationToken);

    /// <summary>
    /// Searches the index of one key (an assistant, or a vector store) with one or more queries: a chunk keeps its best
    /// score over the queries. <paramref name="include"/> limits the documents searched (attribute filters).
    /// </summary>
    public async Task<List<SearchHit>> SearchAsync(
        string key, IReadOnlyList<string> queries, int topK, double minScore, Func<string, bool>? include, CancellationToken cancellationToken)
    {
        var index = await GetIndexAsync(key, cancellationToken).ConfigureAwait(false);
        if (index.Count == 0 || queries.Count == 0)
        {
            return [];
        }

        var generated = await EmbeddingFailures.GuardAsync(() => embeddings.GenerateAsync(queries, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var best = new Dictionary<long, double>();
        for (var q = 0; q < queries.Count; q++)
        {
            foreach (var hit in index.Search(LexicalTokenizer.Tokenize(queries[q]), generated[q].Vector.ToArray(), topK, options.Value.VectorWeight, minScore, include))
            {
                best[hit.ChunkId] = Math.Max(hit.Score, best.GetValueOrDefault(hit.ChunkId));
            }
        }
        var hits = best.OrderByDescending(h => h.Value).ThenBy(h => h.Key).Take(topK).Select(h => new IndexHit(h.Key, h.Value)).ToList();
        if (hits.Count == 0)
        {
            return [];
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocumentsDbContext>();
        var ids = hits.Select(h => h.ChunkId).ToList();
        var rows = await db.Chunks.AsNoTracking()
            .Where(c => ids.Contains(c.Id))
            .Join(db.Documents, c => c.DocumentId, d => d.Id, (c, d) => new { c.Id, c.DocumentId, d.Filename, c.ChunkIndex, c.Text })
            .ToDictionaryAsync(r => r.Id, cancellationToken).ConfigureAwait(false);

        // A chunk deleted between the index build and this read simply drops out.
        return hits.Where(h => rows.ContainsKey(h.ChunkId))
            .Select(h => rows[h.ChunkId] is var r ? new SearchHit(r.DocumentId, r.Filename, r.ChunkIndex, h.Score, r.Text) : null!)
            .ToList();
    }

    public async Task<AssistantIndex> GetIndexAsync(string assistantId, CancellationToken cancellationToken)
    {
        var version = await ReadVersionAsync(assistantId, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var entry = _indexes.GetOrAdd(assistantId, id => NewEntry(id, version, null));
            AssistantIndex index;
            try
            {
                index = await entry.Value.ConfigureAwait(false);
            }
            catch
            {
                // A failed build is not kept: the next search tries again.
                _indexes.TryRemove(new KeyValuePair<string, Lazy<Task<AssistantIndex>>>(assistantId, entry));
                throw;
            }
            if (index.Version >= version)
            {
                return index;
            }
            _indexes.TryUpdate(assistantId, NewEntry(assistantId, version, index), entry);
        }
    }

    private Lazy<Task<AssistantIndex>> NewEntry(string assistantId, long version, AssistantIndex? previous) =>
        new(() => BuildAsync(assistantId, version, previous), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Keeps the segments of documents whose version did not change and reads only the others: after an upload to a
    /// large assistant, the next search pays for the new document, not for the whole collection.
    /// </summary>
    private async Task<AssistantIndex> BuildAsync(string assistantId, long version, AssistantIndex? previous)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocumentsDbContext>();
        // The version was read before the documents, so the index is at least as new as its label.
        // An assistant's rag documents and the files attached to its vector store (or a vector store's files).
        var documents = await db.Documents.AsNoTracking()
            .Where(d => d.AssistantId == assistantId && d.Kind == DocumentKinds.Rag)
            .Select(d => new { d.Id, Version = (long)d.Version })
            .ToListAsync().ConfigureAwait(false);
        documents.AddRange(await db.VectorStoreFiles.AsNoTracking()
            .Where(f => f.StoreKey == assistantId && f.Status == VectorStoreFileStatus.Completed)
            .Select(f => new { Id = f.FileId, Version = f.Generation })
            .ToListAsync().ConfigureAwait(false));
        var kept = (previous?.Segments ?? []).ToDictionary(s => (s.DocumentId, s.DocumentVersion));
        var model = embeddings.ModelName();

        var segments = new List<DocumentSegment>(documents.Count);
        var missing = new List<(string Id, long Version)>();
        foreach (var document in documents)
        {
            if (kept.TryGetValue((document.Id, document.Version), out var segment))
            {
                segments.Add(segment);
            }
            else
            {
                missing.Add((document.Id, document.Version));
            }
        }

        foreach (var batch in missing.Chunk(50))
        {
            var ids = batch.Select(b => b.Id).ToList();
            var chunks = new Dictionary<string, List<IndexedChunk>>(StringComparer.Ordinal);
            var stale = new List<(string DocumentId, int Position)>();
            await foreach (var row in db.Chunks.AsNoTracking().Where(c => c.AssistantId == assistantId && ids.Contains(c.DocumentId))
                .OrderBy(c => c.Id).Select(c => new { c.Id, c.DocumentId, c.Text, c.Embedding, c.EmbeddingModel }).AsAsyncEnumerable().ConfigureAwait(false))
            {
                if (!chunks.TryGetValue(row.DocumentId, out var list))
                {
                    chunks[row.DocumentId] = list = [];
                }
                if (row.EmbeddingModel != model)
                {
                    stale.Add((row.DocumentId, list.Count));
                }
                list.Add(new IndexedChunk(row.Id, row.Text, EmbeddingBytes.ToFloats(row.Embedding)));
            }
            await ReembedAsync(db, chunks, stale, model).ConfigureAwait(false);
            // Both cores: tokenizing is the expensive part of a first load.
            var built = new DocumentSegment[batch.Length];
            Parallel.For(0, batch.Length, i =>
                built[i] = new DocumentSegment(batch[i].Id, batch[i].Version, chunks.GetValueOrDefault(batch[i].Id) ?? []));
            segments.AddRange(built);
        }
        return new AssistantIndex(version, segments);
    }

    /// <summary>
    /// Chunks embedded by another model than today's (the configuration changed) are embedded again and written back,
    /// so vectors of two models are never compared and the work is done once, by the first search that needs it.
    /// </summary>
    private async Task ReembedAsync(
        DocumentsDbContext db, Dictionary<string, List<IndexedChunk>> chunks, List<(string DocumentId, int Position)> stale, string model)
    {
        foreach (var batch in stale.Chunk(64))
        {
            var generated = await EmbeddingFailures.GuardAsync(
                () => embeddings.GenerateAsync(batch.Select(b => chunks[b.DocumentId][b.Position].Text))).ConfigureAwait(false);
            for (var i = 0; i < batch.Length; i++)
            {
                var (documentId, position) = batch[i];
                var chunk = chunks[documentId][position];
                var vector = generated[i].Vector.ToArray();
                chunks[documentId][position] = chunk with { Embedding = vector };
                var bytes = EmbeddingBytes.ToBytes(vector);
                await db.Chunks.Where(c => c.Id == chunk.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(c => c.Embedding, bytes).SetProperty(c => c.EmbeddingModel, model)).ConfigureAwait(false);
            }
        }
    }

    private async Task<long> ReadVersionAsync(string assistantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocumentsDbContext>();
        return await KnowledgeVersions.ReadAsync(db, assistantId, cancellationToken).ConfigureAwait(false);
    }
}
