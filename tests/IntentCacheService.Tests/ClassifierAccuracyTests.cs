using System.Globalization;
using IntentCacheService.Services.Classification;
using Xunit.Abstractions;

namespace IntentCacheService.Tests;

/// <summary>
/// The local classifier on held-out paraphrases and out-of-scope utterances it never saw. The sweep printed here is
/// the measurement the default threshold was chosen from.
/// </summary>
public sealed class ClassifierAccuracyTests(ITestOutputHelper output)
{
    private static readonly LabelledSet Set = LabelledSet.Load();
    private static readonly LocalIntentModel Model = LocalIntentModel.Train(Set.Training);

    [Fact]
    public void AtTheDefaultThresholdHeldOutParaphrasesAreRecognisedAndOutOfScopeIsRefused()
    {
        var m = Measure(IntentCacheOptions.DefaultThreshold);
        output.WriteLine(Describe(IntentCacheOptions.DefaultThreshold, m));

        Assert.True(m.InScopeAccuracy >= 0.65, $"in-scope accuracy {m.InScopeAccuracy:P1}");
        Assert.True(m.OutOfScopePrecision >= 0.6, $"out-of-scope precision {m.OutOfScopePrecision:P1}");
        Assert.True(m.OutOfScopeRecall >= 0.95, $"out-of-scope recall {m.OutOfScopeRecall:P1}");
        // A wrong accept is a wrong cached answer: they must stay rare.
        Assert.True(m.WrongAcceptRate <= 0.02, $"wrong accepts {m.WrongAccepts} of {m.Total}");
    }

    [Fact]
    public void ConfidenceRanksCorrectAnswersAboveWrongOnes()
    {
        var correct = new List<double>();
        var wrong = new List<double>();
        foreach (var (name, _, heldOut) in Set.Intents)
        {
            foreach (var text in heldOut)
            {
                var best = Model.Score(text)[0];
                (best.Intent == name ? correct : wrong).Add(best.Confidence);
            }
        }
        foreach (var text in Set.OutOfScope)
        {
            wrong.Add(Model.Score(text)[0].Confidence);
        }
        output.WriteLine($"mean confidence: correct {correct.Average():0.000}, wrong or out of scope {wrong.Average():0.000}");

        // Area under the ROC curve: the chance a correct answer outranks a wrong one.
        var pairs = correct.Sum(c => wrong.Sum(w => c > w ? 1.0 : c == w ? 0.5 : 0));
        var auc = pairs / (correct.Count * (double)wrong.Count);
        output.WriteLine($"AUC {auc:0.000}");
        Assert.True(auc >= 0.9, $"AUC {auc:0.000}");
        Assert.All(correct.Concat(wrong), c => Assert.InRange(c, 0, 1));
    }

    /// <summary>
    /// The default threshold is the one with the lowest cost on this set, where serving a wrong answer (an out-of-scope
    /// utterance or another intent accepted) costs <see cref="WrongAcceptCost"/> and refusing a right one costs 1 (one
    /// more model call). Ties go to the higher threshold.
    /// </summary>
    [Fact]
    public void TheDefaultThresholdIsTheCheapestOnTheLabelledSet()
    {
        var sweep = Enumerable.Range(1, 19).Select(i => i * 0.05).Select(t => (Threshold: t, Metrics: Measure(t))).ToList();
        foreach (var (t, m) in sweep)
        {
            output.WriteLine(Describe(t, m) + string.Create(CultureInfo.InvariantCulture, $", cost {m.Cost(WrongAcceptCost)}"));
        }
        // Ties go to the higher threshold: at equal cost, fewer wrong answers.
        var cheapest = sweep.OrderBy(s => s.Metrics.Cost(WrongAcceptCost)).ThenByDescending(s => s.Threshold).First().Threshold;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cheapest threshold {cheapest:0.00}"));

        Assert.Equal(IntentCacheOptions.DefaultThreshold, cheapest, 3);
    }

    private const int WrongAcceptCost = 3;

    [Fact]
    public void AnExampleVerbatimIsRecognisedConfidentlyAndGibberishIsOutOfScope()
    {
        var exact = Model.Classify("How do I reset my password?", IntentCacheOptions.DefaultThreshold);
        var gibberish = Model.Classify("zxqv blorf wibble", IntentCacheOptions.DefaultThreshold);

        Assert.Equal("password_reset", exact.Intent);
        Assert.True(exact.Confidence > 0.5, exact.Confidence.ToString(CultureInfo.InvariantCulture));
        Assert.True(gibberish.OutOfScope);
        Assert.Equal(0, gibberish.Confidence);
    }

    private static string Describe(double t, Metrics m) =>
        string.Create(CultureInfo.InvariantCulture,
            $"threshold {t:0.000}: accuracy {m.Accuracy:P1} (in-scope {m.InScopeAccuracy:P1}), out-of-scope precision {m.OutOfScopePrecision:P1} recall {m.OutOfScopeRecall:P1}, wrong accepts {m.WrongAccepts}/{m.Total}");

    private static Metrics Measure(double threshold)
    {
        int inScope = 0, inScopeCorrect = 0, wrongAccepts = 0, predictedOos = 0, predictedOosTrue = 0, oosCorrect = 0;
        foreach (var (name, _, heldOut) in Set.Intents)
        {
            foreach (var text in heldOut)
            {
                inScope++;
                var c = Model.Classify(text, threshold);
                if (c.OutOfScope)
                {
                    predictedOos++;
                }
                else if (c.Intent == name)
                {
                    inScopeCorrect++;
                }
                else
                {
                    wrongAccepts++;
                }
            }
        }
        foreach (var text in Set.OutOfScope)
        {
            var c = Model.Classify(text, threshold);
            if (c.OutOfScope)
            {
                predictedOos++;
                predictedOosTrue++;
                oosCorrect++;
            }
            else
            {
                wrongAccepts++;
            }
        }
        var total = inScope + Set.OutOfScope.Length;
        return new Metrics(
            (inScopeCorrect + oosCorrect) / (double)total,
            inScopeCorrect / (double)inScope,
            predictedOos == 0 ? 1 : predictedOosTrue / (double)predictedOos,
            oosCorrect / (double)Set.OutOfScope.Length,
            wrongAccepts,
            inScope - inScopeCorrect - CountWrongInScope(threshold),
            total);
    }

    private static int CountWrongInScope(double threshold) =>
        Set.Intents.Sum(i => i.HeldOut.Count(text => Model.Classify(text, threshold) is { OutOfScope: false } c && c.Intent != i.Name));

    private sealed record Metrics(
        double Accuracy, double InScopeAccuracy, double OutOfScopePrecision, double OutOfScopeRecall, int WrongAccepts,
        int FalseRejects, int Total)
    {
        public double WrongAcceptRate => WrongAccepts / (double)Total;

        public int Cost(int wrongAcceptCost) => wrongAcceptCost * WrongAccepts + FalseRejects;
    }
}
