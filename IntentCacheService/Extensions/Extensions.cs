using IntentCacheService.Model;
using IntentCacheService.Services;
using IntentCacheService.Services.Cache;
using IntentCacheService.Services.Classification;
using ServiceDefaults.Access;
using Embeddings;

namespace IntentCacheService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformCache("cache");
        builder.AddDatabase<IntentDbContext>("intentdb");

        builder.Services.AddOptions<IntentCacheOptions>()
            .Bind(builder.Configuration.GetSection(IntentCacheOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.AddEmbeddingGenerator();
        builder.AddAssistantAccess();
        builder.Services.AddSingleton<Announcer>();
        builder.Services.AddSingleton<IntentCatalog>();
        builder.Services.AddSingleton<CacheStatistics>();
        builder.Services.AddSingleton<EntryStore>();
        builder.Services.AddSingleton<NearCache>();
        builder.Services.AddHostedService<StatisticsFlusher>();
        builder.Services.AddSingleton<AnswerCache>();
        builder.Services.AddHostedService<InvalidationListener>();

        var provider = builder.Configuration[$"{IntentCacheOptions.SectionName}:Provider"];
        if (string.Equals(provider, "wit", StringComparison.Ordinal))
        {
            // Wit.ai is not a configured sibling, so ServiceDefaults never hands it the caller token.
            builder.Services.AddHttpClient<IIntentClassifier, WitIntentClassifier>(WitIntentClassifier.HttpClientName);
        }
        else
        {
            builder.Services.AddSingleton<IIntentClassifier, LocalIntentClassifier>();
        }
    }
}
