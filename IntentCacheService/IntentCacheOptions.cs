using System.ComponentModel.DataAnnotations;

namespace IntentCacheService;

/// <summary>Settings of the intent cache, section "IntentCache".</summary>
public sealed class IntentCacheOptions
{
    public const string SectionName = "IntentCache";

    /// <summary>
    /// The confidence an intent needs unless its assistant sets another: the cheapest threshold of the sweep over the
    /// labelled paraphrase set, where a wrong accept (a wrong cached answer) costs three refusals (three model calls).
    /// ClassifierAccuracyTests.TheDefaultThresholdIsTheCheapestOnTheLabelledSet keeps this honest.
    /// </summary>
    public const double DefaultThreshold = 0.3;

    [Range(0.0, 1.0)]
    public double Threshold { get; set; } = DefaultThreshold;
}
