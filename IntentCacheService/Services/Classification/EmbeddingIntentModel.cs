using System.Numerics.Tensors;

namespace IntentCacheService.Services.Classification;

/// <summary>
/// Intents told apart by meaning: every example is a unit vector from the embedding generator. An utterance's raw
/// score for an intent is the mean of two cosine similarities: to the intent's centroid (the normalised sum of its
/// examples) and the average over its <see cref="Neighbours"/> nearest examples, so a question near a few examples and
/// one near the intent as a whole both score while one stray example alone does not carry it. Built once per change of
/// the intent set (the examples are embedded then, in one batch); classifying costs one embedding and a few hundred
/// dot products.
/// </summary>
public sealed class EmbeddingIntentModel
{
    private readonly string[] _intents;
    private readonly int[] _exampleIntent;
    private readonly float[][] _examples;
    private readonly float[][] _centroids;

    public EmbeddingIntentModel(IReadOnlyList<IntentTrainingSet> sets, IReadOnlyList<float[]> exampleVectors)
    {
        _intents = [.. sets.Select(s => s.Name)];
        _exampleIntent = [.. sets.SelectMany((s, i) => s.Examples.Select(_ => i))];
        _examples = [.. exampleVectors];
        if (_examples.Length != _exampleIntent.Length)
        {
            throw new ArgumentException("One vector per example is needed.", nameof(exampleVectors));
        }
        _centroids = [.. Enumerable.Range(0, _intents.Length).Select(i => Centroid(i))];
        Calibration = ThresholdCalibration.FromExamples(this);
    }

    /// <summary>
    /// How much the lead over the runner-up counts, and how many nearest examples are averaged. Swept on the four kept
    /// sets (nearest 1, 2, 3 or 5, centroid weight 0, 0.3 or 0.5, lead 0 to 1.5; a wrong answer costing three
    /// refusals, as in ClassifierAccuracyTests): three nearest, centroid half, lead 1.5 was cheapest (cost 50 against
    /// 58 for the nearest example alone with lead 1).
    /// </summary>
    private const double LeadWeight = 1.5;

    private const int Neighbours = 3;

    public int IntentCount => _intents.Length;

    public int ExampleCount => _examples.Length;

    /// <summary>What the examples themselves say about where a threshold belongs.</summary>
    public ThresholdCalibration Calibration { get; }

    /// <summary>Every intent's similarity to the utterance, best first.</summary>
    public IReadOnlyList<IntentScore> Score(ReadOnlySpan<float> utterance) => Score(utterance, excludedExample: -1);

    public IntentClassification Classify(ReadOnlySpan<float> utterance, double threshold)
    {
        var scores = Score(utterance);
        var alternatives = scores.Take(4).ToList();
        var best = scores.Count > 0 ? scores[0] : null;
        return best is not null && best.Confidence >= threshold && best.Confidence > 0
            ? new IntentClassification(best.Intent, best.Confidence, alternatives)
            : new IntentClassification(null, best?.Confidence ?? 0, alternatives);
    }

    /// <summary>How often an example left out of the set is classified as its own intent by the rest.</summary>
    public double LeaveOneOutAccuracy()
    {
        if (ExampleCount == 0 || IntentCount < 2)
        {
            return 0;
        }
        var correct = 0;
        for (var e = 0; e < _examples.Length; e++)
        {
            var scores = Score(_examples[e], e);
            correct += scores.Count > 0 && scores[0].Intent == _intents[_exampleIntent[e]] ? 1 : 0;
        }
        return (double)correct / ExampleCount;
    }

    private float[] Centroid(int intent) => Centroid(intent, excludedExample: -1);

    private float[] Centroid(int intent, int excludedExample)
    {
        var sum = new float[_examples.Length > 0 ? _examples[0].Length : 0];
        for (var e = 0; e < _examples.Length; e++)
        {
            if (_exampleIntent[e] == intent && e != excludedExample && _examples[e].Length == sum.Length)
            {
                TensorPrimitives.Add(sum, _examples[e], sum);
            }
        }
        var norm = TensorPrimitives.Norm(sum);
        if (norm > 0)
        {
            TensorPrimitives.Divide(sum, norm, sum);
        }
        return sum;
    }

    /// <summary>For each example: its similarity to the nearest other example of its own intent and of any other.</summary>
    public IEnumerable<double> LeaveOneOutConfidences()
    {
        for (var e = 0; e < _examples.Length; e++)
        {
            var scores = Score(_examples[e], e);
            yield return scores.Count > 0 && scores[0].Intent == _intents[_exampleIntent[e]] ? scores[0].Confidence : 0;
        }
    }

    public IEnumerable<(double Own, double Other)> LeaveOneOutSimilarities()
    {
        for (var e = 0; e < _examples.Length; e++)
        {
            double own = 0, other = 0;
            for (var f = 0; f < _examples.Length; f++)
            {
                if (f == e)
                {
                    continue;
                }
                var s = TensorPrimitives.Dot(_examples[e], _examples[f]);
                if (_exampleIntent[f] == _exampleIntent[e])
                {
                    own = Math.Max(own, s);
                }
                else
                {
                    other = Math.Max(other, s);
                }
            }
            yield return (own, other);
        }
    }

    private List<IntentScore> Score(ReadOnlySpan<float> utterance, int excludedExample)
    {
        // The k best similarities per intent, kept sorted descending in one flat array (k is tiny).
        var top = new double[_intents.Length * Neighbours];
        var counts = new int[_intents.Length];
        for (var e = 0; e < _examples.Length; e++)
        {
            if (e == excludedExample || _examples[e].Length != utterance.Length)
            {
                continue;
            }
            var intent = _exampleIntent[e];
            var slots = top.AsSpan(intent * Neighbours, Neighbours);
            double s = TensorPrimitives.Dot(utterance, _examples[e]);
            var n = Math.Min(counts[intent], Neighbours);
            if (n == Neighbours && s <= slots[n - 1])
            {
                continue;
            }
            var at = n == Neighbours ? n - 1 : n;
            while (at > 0 && slots[at - 1] < s)
            {
                slots[at] = slots[at - 1];
                at--;
            }
            slots[at] = s;
            counts[intent]++;
        }
        var best = new double[_intents.Length];
        for (var i = 0; i < best.Length; i++)
        {
            var n = Math.Min(counts[i], Neighbours);
            var nearest = n == 0 ? 0 : Sum(top.AsSpan(i * Neighbours, n)) / n;
            // Left out, an example must not meet itself through its intent's centroid either.
            var centroid = excludedExample >= 0 && _exampleIntent[excludedExample] == i ? Centroid(i, excludedExample) : _centroids[i];
            var toCentroid = centroid.Length == utterance.Length ? TensorPrimitives.Dot(utterance, centroid) : 0;
            best[i] = (nearest + toCentroid) / 2;
        }
        var order = Enumerable.Range(0, _intents.Length).OrderByDescending(i => best[i]).ToArray();
        var result = new List<IntentScore>(order.Length);
        for (var rank = 0; rank < order.Length; rank++)
        {
            // The winner gains its lead over the runner-up (weighted), the others lose their gap to the winner: an
            // utterance that sits between two intents is trusted less than one clearly nearest to one.
            var s = best[order[rank]];
            var rival = rank == 0 ? (order.Length > 1 ? best[order[1]] : 0) : best[order[0]];
            result.Add(new IntentScore(_intents[order[rank]], Math.Round(Math.Clamp(s + (s - rival) * LeadWeight, 0, 1), 4)));
        }
        return result;
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }
        return sum;
    }
}

/// <summary>
/// What the examples say about themselves, left out one at a time: <see cref="Own"/> is how close an example typically
/// is to the nearest other example of its intent, <see cref="Other"/> how close it comes to another intent's. Own far
/// above Other means the threshold has room; Other near Own means intents that overlap and need better examples.
/// </summary>
public sealed record ThresholdCalibration(double Own, double Other)
{
    public static ThresholdCalibration FromExamples(EmbeddingIntentModel model)
    {
        var pairs = model.LeaveOneOutSimilarities().ToList();
        return new ThresholdCalibration(Math.Round(Median(pairs.Select(p => p.Own)), 4), Math.Round(Median(pairs.Select(p => p.Other)), 4));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
