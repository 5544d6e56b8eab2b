namespace IntentCacheService.Services.Classification;

/// <summary>One intent's training material.</summary>
public sealed record IntentTrainingSet(string Name, IReadOnlyList<string> Examples);

/// <summary>A scored intent; confidence is in [0, 1].</summary>
public sealed record IntentScore(string Intent, double Confidence);

/// <summary>
/// What a classifier says about an utterance: the best intent at or above the threshold, or out of scope (Intent
/// null) with the best guess still listed in <see cref="Alternatives"/> for whoever wants to see why.
/// </summary>
public sealed record IntentClassification(string? Intent, double Confidence, IReadOnlyList<IntentScore> Alternatives)
{
    public bool OutOfScope => Intent is null;
}

/// <summary>
/// The word-based classifier the embedding model replaced, kept as the baseline ClassifierAccuracyTests measures it
/// against. A nearest-example classifier over TF-IDF vectors of <see cref="TextFeatures"/> terms, built from the examples alone.
/// IDF is taken over intents (how many intents use a term), so words every intent shares say nothing, and a word no
/// example has ever used counts fully against a match: an utterance about something else ends far from every example,
/// which is what makes an explicit out-of-scope answer possible without out-of-scope training data.
/// <para>
/// Raw score of an intent: the mean of the cosine similarity of the utterance to that intent's nearest example and to
/// the intent's centroid (1 = an utterance identical to all examples, 0 = nothing in common). Confidence discounts the winner by the runner-up,
/// <c>s1 − s2 / 2</c>, so an utterance that sits between two intents is not trusted as if it were clear.
/// </para>
/// </summary>
public sealed class LocalIntentModel
{
    private readonly string[] _intents;
    private readonly int[] _exampleIntent;
    private readonly Dictionary<string, int> _termIds;
    private readonly double[] _idf;
    private readonly double _unseenIdf;
    private readonly List<(int Example, double Weight)>[] _postings;
    private readonly string[] _exampleTexts;
    private readonly List<(int Intent, double Weight)>[] _centroids;

    private LocalIntentModel(
        string[] intents, int[] exampleIntent, Dictionary<string, int> termIds, double[] idf, double unseenIdf,
        List<(int, double)>[] postings, string[] exampleTexts, List<(int, double)>[] centroids)
    {
        _centroids = centroids;
        _exampleTexts = exampleTexts;
        _intents = intents;
        _exampleIntent = exampleIntent;
        _termIds = termIds;
        _idf = idf;
        _unseenIdf = unseenIdf;
        _postings = postings;
    }

    /// <summary>
    /// How much the nearest example counts against the intent's centroid (all its examples at once). The centroid lets
    /// a paraphrase that borrows words from several examples score; 0.5 ranked best on the labelled set (AUC).
    /// </summary>
    private const double NearestWeight = 0.5;

    /// <summary>The threshold this word model was tuned to (0.3, the cheapest on hr-paraphrases.json).</summary>
    public const double DefaultThreshold = 0.3;

    public int IntentCount => _intents.Length;

    public int ExampleCount => _exampleIntent.Length;

    /// <summary>Distinct whole-word terms the examples use.</summary>
    public int Vocabulary => _termIds.Keys.Count(k => k.StartsWith("w:", StringComparison.Ordinal));

    public static LocalIntentModel Train(IReadOnlyList<IntentTrainingSet> sets)
    {
        var intents = sets.Select(s => s.Name).ToArray();
        var exampleTerms = new List<Dictionary<string, double>>();
        var exampleIntent = new List<int>();
        var exampleTexts = new List<string>();
        var intentsPerTerm = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        for (var i = 0; i < sets.Count; i++)
        {
            foreach (var example in sets[i].Examples)
            {
                var terms = TextFeatures.Terms(example);
                exampleTerms.Add(terms);
                exampleIntent.Add(i);
                exampleTexts.Add(example);
                foreach (var term in terms.Keys)
                {
                    if (!intentsPerTerm.TryGetValue(term, out var owners))
                    {
                        intentsPerTerm[term] = owners = [];
                    }
                    owners.Add(i);
                }
            }
        }

        var k = intents.Length;
        var termIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var idf = new double[intentsPerTerm.Count];
        foreach (var (term, owners) in intentsPerTerm)
        {
            var id = termIds.Count;
            termIds[term] = id;
            idf[id] = 1 + Math.Log((k + 1.0) / (owners.Count + 1.0));
        }
        var unseenIdf = 1 + Math.Log(k + 1.0);

        var postings = new List<(int, double)>[termIds.Count];
        for (var t = 0; t < postings.Length; t++)
        {
            postings[t] = [];
        }
        var centroidSums = new Dictionary<int, double>[k];
        for (var i = 0; i < k; i++)
        {
            centroidSums[i] = [];
        }
        for (var e = 0; e < exampleTerms.Count; e++)
        {
            var weighted = exampleTerms[e].Select(p => (Id: termIds[p.Key], W: p.Value * idf[termIds[p.Key]])).ToList();
            var norm = Math.Sqrt(weighted.Sum(p => p.W * p.W));
            if (norm == 0)
            {
                continue; // An example of function words only matches nothing.
            }
            foreach (var (id, w) in weighted)
            {
                postings[id].Add((e, w / norm));
                var sums = centroidSums[exampleIntent[e]];
                sums[id] = sums.GetValueOrDefault(id) + w / norm;
            }
        }
        var centroids = new List<(int, double)>[termIds.Count];
        for (var t = 0; t < centroids.Length; t++)
        {
            centroids[t] = [];
        }
        for (var i = 0; i < k; i++)
        {
            var norm = Math.Sqrt(centroidSums[i].Values.Sum(w => w * w));
            foreach (var (id, w) in centroidSums[i])
            {
                centroids[id].Add((i, w / norm));
            }
        }
        return new LocalIntentModel(intents, [.. exampleIntent], termIds, idf, unseenIdf, postings, [.. exampleTexts], centroids);
    }

    /// <summary>Every intent's confidence, best first.</summary>
    public IReadOnlyList<IntentScore> Score(string text) => Score(text, excludedExample: -1);

    public IntentClassification Classify(string text, double threshold)
    {
        var scores = Score(text);
        var best = scores.Count > 0 ? scores[0] : null;
        var alternatives = scores.Take(4).ToList();
        return best is not null && best.Confidence >= threshold && best.Confidence > 0
            ? new IntentClassification(best.Intent, best.Confidence, alternatives)
            : new IntentClassification(null, best?.Confidence ?? 0, alternatives);
    }

    /// <summary>
    /// How often each example is classified as its own intent when it is left out of the examples: a training
    /// statistic that says whether the intents are told apart by their examples at all.
    /// </summary>
    public double LeaveOneOutAccuracy(int maxExamples = 2000)
    {
        var n = Math.Min(ExampleCount, maxExamples);
        if (n == 0 || IntentCount < 2)
        {
            return 0;
        }
        var correct = 0;
        for (var e = 0; e < n; e++)
        {
            var scores = Score(_exampleTexts[e], e);
            if (scores.Count > 0 && scores[0].Intent == _intents[_exampleIntent[e]])
            {
                correct++;
            }
        }
        return (double)correct / n;
    }

    private List<IntentScore> Score(string text, int excludedExample)
    {
        var terms = TextFeatures.Terms(text);
        var query = new List<(int Id, double W)>(terms.Count);
        double normSquared = 0;
        foreach (var (term, weight) in terms)
        {
            if (_termIds.TryGetValue(term, out var id))
            {
                var w = weight * _idf[id];
                query.Add((id, w));
                normSquared += w * w;
            }
            else
            {
                var w = weight * _unseenIdf;
                normSquared += w * w;
            }
        }
        var best = new double[_intents.Length];
        if (normSquared > 0)
        {
            var norm = Math.Sqrt(normSquared);
            var dots = new double[ExampleCount];
            foreach (var (id, w) in query)
            {
                foreach (var (example, ew) in _postings[id])
                {
                    dots[example] += w * ew;
                }
            }
            var centroidDots = new double[_intents.Length];
            foreach (var (id, w) in query)
            {
                foreach (var (intent, cw) in _centroids[id])
                {
                    centroidDots[intent] += w * cw;
                }
            }
            for (var e = 0; e < dots.Length; e++)
            {
                if (e == excludedExample)
                {
                    continue;
                }
                var similarity = Math.Min(1, dots[e] / norm);
                var intent = _exampleIntent[e];
                if (similarity > best[intent])
                {
                    best[intent] = similarity;
                }
            }
            for (var i = 0; i < best.Length; i++)
            {
                best[i] = NearestWeight * best[i] + (1 - NearestWeight) * Math.Min(1, centroidDots[i] / norm);
            }
        }

        var order = Enumerable.Range(0, _intents.Length).OrderByDescending(i => best[i]).ToArray();
        var runnerUp = order.Length > 1 ? best[order[1]] : 0;
        var result = new List<IntentScore>(order.Length);
        for (var rank = 0; rank < order.Length; rank++)
        {
            var s = best[order[rank]];
            var rival = rank == 0 ? runnerUp : best[order[0]];
            result.Add(new IntentScore(_intents[order[rank]], Math.Round(Math.Clamp(s - rival / 2, 0, 1), 4)));
        }
        return result;
    }
}
