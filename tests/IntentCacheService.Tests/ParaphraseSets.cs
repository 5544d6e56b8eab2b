using System.Text.Json;
using IntentCacheService.Services.Classification;
using Microsoft.Extensions.AI;

namespace IntentCacheService.Tests;

/// <summary>
/// The kept labelled sets, Data/paraphrases-*.json: one per domain, each with twelve examples per intent, held-out
/// paraphrases that avoid the examples' words, and out-of-scope questions near the domain.
/// </summary>
public sealed record ParaphraseSet(
    string Domain, IReadOnlyList<(string Name, string[] Train, string[] HeldOut)> Intents, string[] OutOfScope)
{
    public IReadOnlyList<IntentTrainingSet> Training => [.. Intents.Select(i => new IntentTrainingSet(i.Name, i.Train))];

    public static IReadOnlyList<ParaphraseSet> LoadAll() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data"), "paraphrases-*.json").Order(StringComparer.Ordinal).Select(Load)];

    /// <summary>Data/fresh-airline.json: written after every choice was made, and used only to report on.</summary>
    public static ParaphraseSet LoadFresh() => Load(Path.Combine(AppContext.BaseDirectory, "Data", "fresh-airline.json"));

    private static ParaphraseSet Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        return new ParaphraseSet(
            root.GetProperty("domain").GetString()!,
            [.. root.GetProperty("intents").EnumerateArray().Select(i => (
                i.GetProperty("name").GetString()!,
                i.GetProperty("train").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                i.GetProperty("held_out").EnumerateArray().Select(e => e.GetString()!).ToArray()))],
            [.. root.GetProperty("out_of_scope").EnumerateArray().Select(e => e.GetString()!)]);
    }
}

/// <summary>A set with everything embedded once: the model over its examples, and the vectors of every question.</summary>
public sealed record EmbeddedSet(
    ParaphraseSet Set, EmbeddingIntentModel Model, float[][] ExampleVectors,
    (string Expected, float[] Vector, string Text)[] HeldOut, (float[] Vector, string Text)[] OutOfScope)
{
    public static async Task<EmbeddedSet> EmbedAsync(ParaphraseSet set, IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        var examples = await generator.GenerateAsync(set.Intents.SelectMany(i => i.Train));
        var heldOut = set.Intents.SelectMany(i => i.HeldOut.Select(h => (i.Name, h))).ToList();
        var heldOutVectors = await generator.GenerateAsync(heldOut.Select(h => h.h));
        var outOfScope = await generator.GenerateAsync(set.OutOfScope);
        float[][] exampleVectors = [.. examples.Select(e => e.Vector.ToArray())];
        return new EmbeddedSet(
            set,
            new EmbeddingIntentModel(set.Training, exampleVectors),
            exampleVectors,
            [.. heldOut.Select((h, i) => (h.Name, heldOutVectors[i].Vector.ToArray(), h.h))],
            [.. set.OutOfScope.Select((t, i) => (outOfScope[i].Vector.ToArray(), t))]);
    }
}
