using ChatService.Model;
using ChatService.Providers;
using ChatService.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformCache("cache");
        builder.AddDatabase<ChatDbContext>("chatdb");

        builder.Services.AddOptions<ChatServiceOptions>()
            .Bind(builder.Configuration.GetSection(ChatServiceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The model: any OpenAI-compatible endpoint when one is configured, the offline responder otherwise.
        var provider = ProviderSettings.From(builder.Configuration);
        if (provider is null)
        {
            builder.Services.AddSingleton<IChatClient, OfflineResponder>();
        }
        else
        {
            builder.Services.AddSingleton<IChatClient>(sp =>
            {
                var options = sp.GetRequiredService<IOptions<ChatServiceOptions>>().Value;
                return new FirstTokenRetryChatClient(
                    new ModelRoutingChatClient(provider, provider.Model ?? options.DefaultModel),
                    options,
                    sp.GetRequiredService<ILogger<FirstTokenRetryChatClient>>());
            });
        }

        builder.Services.AddSingleton<SiblingGuard>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KnowledgeSnapshots>();
        builder.Services.AddHostedService<KnowledgeChangeListener>();
        builder.Services.AddHttpClient<KnowledgeClient>(c => c.BaseAddress = new Uri($"http://{KnowledgeClient.Sibling}"));
        builder.Services.AddHttpClient<FileSearchClient>(c => c.BaseAddress = new Uri($"http://{FileSearchClient.Sibling}"));
        builder.Services.AddHttpClient<IntentCacheClient>(c => c.BaseAddress = new Uri($"http://{IntentCacheClient.Sibling}"));
        builder.Services.AddSingleton<CachedAnswers>();
        builder.Services.AddHostedService<CachedAnswerListener>();
        builder.Services.AddHostedService<CachedAnswerHitReporter>();

        builder.Services.AddScoped<ChatEngine>();
        builder.Services.AddScoped<ThreadContext>();
        builder.Services.AddScoped<ChannelChats>();
        builder.Services.AddScoped<RunExecutor>();
        builder.Services.AddSingleton<RunRegistry>();
        builder.Services.AddSingleton<RunQueue>();
        builder.Services.AddHostedService<RunWorker>();
        builder.Services.AddScoped<ResponseRunner>();
    }
}
