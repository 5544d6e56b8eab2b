using System.ComponentModel.DataAnnotations;

namespace IntentCacheService;

/// <summary>Settings of the intent cache, section "IntentCache".</summary>
public sealed class IntentCacheOptions : IValidatableObject
{
    public const string SectionName = "IntentCache";

    /// <summary>
    /// The confidence an intent needs unless its assistant sets another: the cheapest threshold of the sweep over the
    /// kept paraphrase sets (four domains, twelve examples an intent) with the local embedding model, where a wrong
    /// accept (a wrong cached answer) costs three refusals (three model calls). ClassifierAccuracyTests.TheDefaultThresholdIsTheCheapestOnTheKeptSets
    /// keeps this honest.
    /// </summary>
    public const double DefaultThreshold = 0.62;

    [Range(0.0, 1.0)]
    public double Threshold { get; set; } = DefaultThreshold;

    /// <summary>
    /// The confidence the answer cache demands before it serves or stores an answer under an intent, above the
    /// classifier's own threshold: a miss costs one model call, a false hit serves another question's answer. The
    /// cheapest serving threshold on the development sets only (bank and thermostat), a false hit costing
    /// <see cref="FalseHitCost"/> misses; ClassifierAccuracyTests.TheServeThresholdIsTheCheapestOnTheDevelopmentSets
    /// keeps this honest and reports the other sets it was not chosen on.
    /// </summary>
    public const double DefaultServeThreshold = 0.81;

    /// <summary>How many misses (model calls) one false hit is worth when the serve threshold is chosen.</summary>
    public const int FalseHitCost = 10;

    /// <summary>The cache serves at max(this, the assistant's threshold).</summary>
    [Range(0.0, 1.0)]
    public double ServeThreshold { get; set; } = DefaultServeThreshold;

    /// <summary>How long a cached answer lives in Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan EntryTimeToLive { get; set; } = TimeSpan.FromHours(1);


    /// <summary>How long a trained intent set is used before it is read again (changes also evict it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan IntentSetCacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long this instance keeps its own copy of a generation or entry read from Redis (NearCache), so a hot cached
    /// answer costs no round trip. Changes through any instance reach the others by pub/sub at once; this is the bound
    /// if such a message is lost. Zero turns the near cache off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan NearCacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>"local" (default) or "wit".</summary>
    [RegularExpression("^(local|wit)$")]
    public string Provider { get; set; } = "local";

    public WitOptions Wit { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == "wit" && string.IsNullOrWhiteSpace(Wit.Token))
        {
            yield return new ValidationResult("IntentCache:Wit:Token is required when IntentCache:Provider is 'wit'.", [nameof(Wit)]);
        }
        if (!Uri.TryCreate(Wit.BaseUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("IntentCache:Wit:BaseUrl must be an absolute URL.", [nameof(Wit)]);
        }
    }
}

public sealed class WitOptions
{
    public string? Token { get; set; }

    public string BaseUrl { get; set; } = "https://api.wit.ai";

    /// <summary>Wit's API version parameter (a date).</summary>
    public string ApiVersion { get; set; } = "20240304";
}
