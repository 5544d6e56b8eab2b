using System.Globalization;
using IntentCacheService.Services.Classification;
using Embeddings;
using Xunit.Abstractions;

namespace IntentCacheService.Tests;

/// <summary>The kept sets embedded once for the whole class (the model's half second and a few hundred sentences).</summary>
public sealed class EmbeddedSets : IAsyncLifetime
{
    public IReadOnlyList<EmbeddedSet> Sets { get; private set; } = [];

    /// <summary>The airline set, apart from the kept sets: nothing was chosen on it.</summary>
    public EmbeddedSet Fresh { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var generator = new LocalEmbeddingGenerator();
        var sets = new List<EmbeddedSet>();
        foreach (var set in ParaphraseSet.LoadAll())
        {
            sets.Add(await EmbeddedSet.EmbedAsync(set, generator));
        }
        Sets = sets;
        Fresh = await EmbeddedSet.EmbedAsync(ParaphraseSet.LoadFresh(), generator);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// The local classifier on held-out paraphrases that avoid the examples' words and on out-of-scope questions near
/// each domain (four domains, twelve examples per intent), beside the TF-IDF classifier it replaced, in one run.
/// The threshold sweep printed here is the measurement the default threshold was chosen from.
/// </summary>
public sealed class ClassifierAccuracyTests(EmbeddedSets embedded, ITestOutputHelper output) : IClassFixture<EmbeddedSets>
{
    [Fact]
    public void AtTheDefaultThresholdParaphrasesAreRecognisedAndNearbyQuestionsRefusedFarBetterThanByWords()
    {
        var threshold = IntentCacheOptions.DefaultThreshold;
        int heldOut = 0, correct = 0, outOfScope = 0, refused = 0, wordsCorrect = 0, wordsRefused = 0;
        foreach (var set in embedded.Sets)
        {
            var words = LocalIntentModel.Train(set.Set.Training);
            var m = Measure(set, threshold);
            var w = (
                Correct: set.HeldOut.Count(h => words.Classify(h.Text, LocalIntentModel.DefaultThreshold).Intent == h.Expected),
                Refused: set.OutOfScope.Count(o => words.Classify(o.Text, LocalIntentModel.DefaultThreshold).OutOfScope));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{set.Set.Domain}: held-out accuracy {m.Correct}/{set.HeldOut.Length} (words {w.Correct}), out of scope refused {m.Refused}/{set.OutOfScope.Length} (words {w.Refused})"));
            (heldOut, correct, outOfScope, refused) = (heldOut + set.HeldOut.Length, correct + m.Correct, outOfScope + set.OutOfScope.Length, refused + m.Refused);
            (wordsCorrect, wordsRefused) = (wordsCorrect + w.Correct, wordsRefused + w.Refused);
        }
        var accuracy = correct / (double)heldOut;
        var refusal = refused / (double)outOfScope;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"all: held-out accuracy {accuracy:0.000} (words {wordsCorrect / (double)heldOut:0.000}), out of scope refused {refusal:0.000} (words {wordsRefused / (double)outOfScope:0.000}) at threshold {threshold}"));

        // Floors at today's measurement with all-MiniLM-L6-v2. The issue's target is 0.95 for both and is not met: even
        // with no threshold at all the nearest intent is right for only 93 of the 100 held-out questions.
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"target 0.95 / 0.95: {(accuracy >= 0.95 && refusal >= 0.95 ? "met" : "MISSED")}"));
        Assert.True(accuracy >= 0.69, $"held-out accuracy {accuracy:0.000}");
        Assert.True(refusal >= 0.91, $"out of scope refused {refusal:0.000}");
        Assert.True(correct > wordsCorrect, $"model {correct} vs words {wordsCorrect}");
    }

    /// <summary>
    /// The default threshold is the cheapest on the kept sets, where serving a wrong answer (an out-of-scope question
    /// or another intent accepted) costs <see cref="WrongAcceptCost"/> and refusing a right one costs 1 (one more
    /// model call). Ties go to the higher threshold: at equal cost, fewer wrong answers.
    /// </summary>
    [Fact]
    public void TheDefaultThresholdIsTheCheapestOnTheKeptSets()
    {
        var sweep = Enumerable.Range(30, 51).Select(i => i / 100.0).Select(t => (Threshold: t, Cost: Cost(t))).ToList();
        foreach (var (t, cost) in sweep.Where((_, i) => i % 2 == 0))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threshold {t:0.00}: cost {cost}"));
        }
        var cheapest = sweep.OrderBy(s => s.Cost).ThenByDescending(s => s.Threshold).First().Threshold;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cheapest threshold {cheapest:0.00}"));

        Assert.Equal(IntentCacheOptions.DefaultThreshold, cheapest, 3);
    }

    /// <summary>
    /// The cache's serve threshold is chosen on the development sets only (the bank and the thermostat): the cheapest
    /// there when a false hit costs <see cref="IntentCacheOptions.FalseHitCost"/> misses. The HR and shop sets, and
    /// hr-paraphrases.json, took no part in the choice (FewQuestionsWouldBeServedAnotherIntentsCachedAnswer reports them).
    /// </summary>
    [Fact]
    public void TheServeThresholdIsTheCheapestOnTheDevelopmentSets()
    {
        var development = embedded.Sets.Where(s => DevelopmentSets.Contains(s.Set.Domain)).ToList();
        Assert.Equal(2, development.Count);
        var sweep = Enumerable.Range(50, 51).Select(i => i / 100.0).Select(t => (Threshold: t, Cost: development.Sum(set =>
        {
            var m = Measure(set, t);
            return IntentCacheOptions.FalseHitCost * m.WrongAccepts + (set.HeldOut.Length - m.Correct);
        }))).ToList();
        foreach (var (t, cost) in sweep.Where((_, i) => i % 4 == 0))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"serve threshold {t:0.00}: cost {cost}"));
        }
        var cheapest = sweep.OrderBy(s => s.Cost).ThenByDescending(s => s.Threshold).First().Threshold;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cheapest serve threshold on the development sets {cheapest:0.00}"));

        Assert.Equal(IntentCacheOptions.DefaultServeThreshold, cheapest, 3);
    }

    /// <summary>
    /// A false hit is a cached answer served for a question of another intent (or of none). With an entry cached for
    /// every intent, each kept question is looked up once: the share answered with another intent's entry, and the
    /// share of held-out paraphrases still answered from the cache, at the classifier's threshold alone and with the
    /// cache's serve threshold (the rule AnswerCache applies).
    /// </summary>
    [Fact]
    public void FewQuestionsWouldBeServedAnotherIntentsCachedAnswer()
    {
        var serve = Math.Max(IntentCacheOptions.DefaultThreshold, IntentCacheOptions.DefaultServeThreshold);
        var lookups = embedded.Sets.Sum(s => s.HeldOut.Length + s.OutOfScope.Length);
        var paraphrases = embedded.Sets.Sum(s => s.HeldOut.Length);
        foreach (var set in embedded.Sets)
        {
            var m = Measure(set, serve);
            var role = DevelopmentSets.Contains(set.Set.Domain) ? "development" : "held out from the choice";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{set.Set.Domain} ({role}): false hits {m.WrongAccepts}/{set.HeldOut.Length + set.OutOfScope.Length}, paraphrases served {m.Correct}/{set.HeldOut.Length}"));
        }
        var classifierOnly = embedded.Sets.Sum(s => Measure(s, IntentCacheOptions.DefaultThreshold).WrongAccepts);
        var falseHits = embedded.Sets.Sum(s => Measure(s, serve).WrongAccepts);
        var served = embedded.Sets.Sum(s => Measure(s, serve).Correct);
        var rate = falseHits / (double)lookups;
        var hitRate = served / (double)paraphrases;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"at the classifier's threshold {IntentCacheOptions.DefaultThreshold}: false hits {classifierOnly}/{lookups} = {classifierOnly / (double)lookups:0.000}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"at the serve threshold {serve}: false hits {falseHits}/{lookups} = {rate:0.000} of distinct questions, {falseHits}/{falseHits + served} of hits; paraphrases served {served}/{paraphrases} = {hitRate:0.000}"));

        // Floors at today's measurement; the issue's target is 0.01 and is just missed (2 of 180: one on a development
        // set, one on the shop set).
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target 0.01: {(rate <= 0.01 ? "met" : "MISSED")}"));
        Assert.True(rate <= 0.012, $"false-hit rate {rate:0.000}");
        Assert.True(hitRate >= 0.46, $"paraphrases served {hitRate:0.000}");
        Assert.True(falseHits < classifierOnly, $"serve rule {falseHits} vs classifier alone {classifierOnly}");
    }

    /// <summary>
    /// fresh-airline.json was written after the scoring, the classifier's threshold and the serve threshold were
    /// chosen, and is used for nothing else: how the rules do on questions nobody looked at while choosing them.
    /// </summary>
    [Fact]
    public void OnASetWrittenAfterEveryChoiceTheServeThresholdStillKeepsFalseHitsRare()
    {
        var set = embedded.Fresh;
        var lookups = set.HeldOut.Length + set.OutOfScope.Length;
        var classifier = Measure(set, IntentCacheOptions.DefaultThreshold);
        var served = Measure(set, Math.Max(IntentCacheOptions.DefaultThreshold, IntentCacheOptions.DefaultServeThreshold));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{set.Set.Domain}: at {IntentCacheOptions.DefaultThreshold} held-out right {classifier.Correct}/{set.HeldOut.Length}, out of scope refused {classifier.Refused}/{set.OutOfScope.Length}, false hits {classifier.WrongAccepts}/{lookups}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{set.Set.Domain}: at the serve threshold {IntentCacheOptions.DefaultServeThreshold} false hits {served.WrongAccepts}/{lookups}, paraphrases served {served.Correct}/{set.HeldOut.Length}"));

        // Floors at the first (and only) measurement.
        Assert.True(served.WrongAccepts / (double)lookups <= 0.01, $"false hits {served.WrongAccepts}/{lookups}");
        Assert.True(served.Correct >= 4, $"paraphrases served {served.Correct}");
        Assert.True(classifier.Correct >= 14, $"held-out right {classifier.Correct}");
        Assert.True(classifier.Refused >= 17, $"out of scope refused {classifier.Refused}");
    }

    /// <summary>The sets the serve threshold was chosen on; the others only report.</summary>
    private static readonly HashSet<string> DevelopmentSets = ["retail bank", "smart thermostat support"];

    /// <summary>
    /// The older HR set (hr-paraphrases.json: eight intents of eight examples, far-off out-of-scope questions) took no
    /// part in choosing the scoring or the threshold, so it checks them on data they were not fitted to.
    /// </summary>
    [Fact]
    public async Task OnASetTheThresholdWasNotChosenOnParaphrasesAreStillRecognisedAndOffTopicQuestionsRefused()
    {
        var set = LabelledSet.Load();
        var generator = new LocalEmbeddingGenerator();
        var model = new EmbeddingIntentModel(set.Training, [.. (await generator.GenerateAsync(set.Intents.SelectMany(i => i.Train))).Select(v => v.Vector.ToArray())]);
        var heldOut = set.Intents.SelectMany(i => i.HeldOut.Select(h => (i.Name, h))).ToList();
        var heldOutVectors = await generator.GenerateAsync(heldOut.Select(h => h.h));
        var outOfScopeVectors = await generator.GenerateAsync(set.OutOfScope);

        var correct = heldOut.Where((h, i) => model.Classify(heldOutVectors[i].Vector.Span, IntentCacheOptions.DefaultThreshold).Intent == h.Name).Count();
        var refused = outOfScopeVectors.Count(v => model.Classify(v.Vector.Span, IntentCacheOptions.DefaultThreshold).OutOfScope);
        var accuracy = correct / (double)heldOut.Count;
        var refusal = refused / (double)set.OutOfScope.Length;
        var words = LocalIntentModel.Train(set.Training);
        var wordsCorrect = heldOut.Count(h => words.Classify(h.h, LocalIntentModel.DefaultThreshold).Intent == h.Name);
        var wordsRefused = set.OutOfScope.Count(t => words.Classify(t, LocalIntentModel.DefaultThreshold).OutOfScope);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hr-paraphrases.json: held-out accuracy {correct}/{heldOut.Count} = {accuracy:0.000} (words {wordsCorrect}), out of scope refused {refused}/{set.OutOfScope.Length} = {refusal:0.000} (words {wordsRefused})"));

        Assert.True(accuracy >= 0.8, $"held-out accuracy {accuracy:0.000}");
        Assert.True(refusal >= 0.95, $"out of scope refused {refusal:0.000}");
    }

    [Fact]
    public void EachSetsExamplesTellItsIntentsApartWhenLeftOut()
    {
        foreach (var set in embedded.Sets)
        {
            var accuracy = set.Model.LeaveOneOutAccuracy();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{set.Set.Domain}: leave-one-out accuracy {accuracy:0.000}, {set.Model.Calibration}"));
            Assert.True(accuracy >= 0.8, $"{set.Set.Domain}: {accuracy:0.000}");
        }
    }

    [Fact]
    public async Task AnExampleVerbatimIsRecognisedWithFullConfidenceAndGibberishIsOutOfScope()
    {
        var set = embedded.Sets.First(s => s.Set.Domain == "HR assistant");
        var vectors = await new LocalEmbeddingGenerator().GenerateAsync(["How do I call in sick?", "zxqv blorf wibble"]);

        var exact = set.Model.Classify(vectors[0].Vector.Span, IntentCacheOptions.DefaultThreshold);
        var gibberish = set.Model.Classify(vectors[1].Vector.Span, IntentCacheOptions.DefaultThreshold);

        Assert.Equal("sick_leave", exact.Intent);
        Assert.True(exact.Confidence > 0.9, exact.Confidence.ToString(CultureInfo.InvariantCulture));
        Assert.True(gibberish.OutOfScope);
    }

    private const int WrongAcceptCost = 3;

    private int Cost(double threshold) => embedded.Sets.Sum(set =>
    {
        var m = Measure(set, threshold);
        return WrongAcceptCost * m.WrongAccepts + m.FalseRejects;
    });

    private static (int Correct, int Refused, int WrongAccepts, int FalseRejects) Measure(EmbeddedSet set, double threshold)
    {
        int correct = 0, refused = 0, wrong = 0, rejected = 0;
        foreach (var (expected, vector, _) in set.HeldOut)
        {
            var c = set.Model.Classify(vector, threshold);
            correct += c.Intent == expected ? 1 : 0;
            wrong += c.Intent is not null && c.Intent != expected ? 1 : 0;
            rejected += c.OutOfScope ? 1 : 0;
        }
        foreach (var (vector, _) in set.OutOfScope)
        {
            var c = set.Model.Classify(vector, threshold);
            refused += c.OutOfScope ? 1 : 0;
            wrong += c.OutOfScope ? 0 : 1;
        }
        return (correct, refused, wrong, rejected);
    }
}
