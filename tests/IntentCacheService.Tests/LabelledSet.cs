using System.Text.Json;
using IntentCacheService.Services.Classification;

namespace IntentCacheService.Tests;

/// <summary>The labelled paraphrase set in Data/hr-paraphrases.json: training examples, held-out paraphrases, out of scope.</summary>
public sealed class LabelledSet
{
    private LabelledSet(IReadOnlyList<(string Name, string[] Train, string[] HeldOut)> intents, string[] outOfScope)
    {
        Intents = intents;
        OutOfScope = outOfScope;
    }

    public IReadOnlyList<(string Name, string[] Train, string[] HeldOut)> Intents { get; }

    public string[] OutOfScope { get; }

    public IReadOnlyList<IntentTrainingSet> Training => Intents.Select(i => new IntentTrainingSet(i.Name, i.Train)).ToList();

    public static LabelledSet Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "hr-paraphrases.json")));
        var intents = doc.RootElement.GetProperty("intents").EnumerateArray()
            .Select(i => (
                i.GetProperty("name").GetString()!,
                i.GetProperty("train").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                i.GetProperty("held_out").EnumerateArray().Select(e => e.GetString()!).ToArray()))
            .ToList();
        var outOfScope = doc.RootElement.GetProperty("out_of_scope").EnumerateArray().Select(e => e.GetString()!).ToArray();
        return new LabelledSet(intents, outOfScope);
    }

    /// <summary>The set's intents as the PUT /api/intents body wants them.</summary>
    public object PutBody(double? threshold = null) => new
    {
        threshold,
        intents = Intents.Select(i => new { name = i.Name, examples = i.Train, cacheable = true }).ToArray(),
    };
}
