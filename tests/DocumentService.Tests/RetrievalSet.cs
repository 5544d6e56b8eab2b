using System.Text.Json;
using DocumentService.Services.Retrieval;
using Microsoft.Extensions.AI;

namespace DocumentService.Tests;

/// <summary>
/// The kept retrieval set (Data/): four documents of the kinds users bring and questions worded away from them, each
/// labelled with its file and a phrase of the right passage. Chunks and questions are embedded once per test class.
/// </summary>
public sealed class RetrievalSet
{
    public const int ChunkSize = 400;
    public const int ChunkOverlap = 80;

    public static readonly string[] Files = ["handbook.md", "aquapure.txt", "resume.md", "it-help.txt"];

    public static string Read(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", file));

    public static IReadOnlyList<(string Question, string File, string Phrase)> Paraphrases { get; } = LoadParaphrases();

    /// <summary>Every document's chunks as the service cuts them, with ids that say where they came from.</summary>
    public static IReadOnlyList<(long Id, string File, string Text)> Chunks { get; } =
        [.. Files.SelectMany(f => TextChunker.Split(Read(f), ChunkSize, ChunkOverlap).Select(t => (File: f, Text: t)))
            .Select((c, i) => ((long)i, c.File, c.Text))];

    /// <summary>The index the service would build over the set's chunks with this generator.</summary>
    public static async Task<(AssistantIndex Index, float[][] Questions)> IndexAsync(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        var vectors = await generator.GenerateAsync(Chunks.Select(c => c.Text));
        var segments = Chunks.Select((c, i) => (c, Vector: vectors[i].Vector.ToArray()))
            .GroupBy(x => x.c.File)
            .Select(g => new DocumentSegment(g.Key, 1, [.. g.Select(x => new IndexedChunk(x.c.Id, x.c.Text, x.Vector))]));
        var questions = await generator.GenerateAsync(Paraphrases.Select(p => p.Question));
        return (new AssistantIndex(1, segments), [.. questions.Select(q => q.Vector.ToArray())]);
    }

    /// <summary>Where the right passage ranks in the top k (0-based), or −1.</summary>
    public static int Rank(AssistantIndex index, int question, float[] vector, int k, double vectorWeight, double minScore)
    {
        var (text, file, phrase) = Paraphrases[question];
        var hits = index.Search(LexicalTokenizer.Tokenize(text), vector, k, vectorWeight, minScore);
        return hits.FindIndex(h => Chunks[(int)h.ChunkId] is var c && c.File == file && c.Text.Contains(phrase, StringComparison.Ordinal));
    }

    private static List<(string, string, string)> LoadParaphrases()
    {
        using var doc = JsonDocument.Parse(Read("retrieval-paraphrases.json"));
        return [.. doc.RootElement.GetProperty("questions").EnumerateArray()
            .Select(q => (q.GetProperty("q").GetString()!, q.GetProperty("file").GetString()!, q.GetProperty("phrase").GetString()!))];
    }
}
