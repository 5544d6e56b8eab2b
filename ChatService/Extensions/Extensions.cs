using ChatService.Budgets;
using ChatService.Model;
using ChatService.Providers;
using ChatService.Services;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServiceDefaults.Caching;

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
        // Every model call, whatever asks for it, goes through the key's token budget (outermost, so retries and
        // the whole answer are one reservation) and the stall watchdog.
        var provider = ProviderSettings.From(builder.Configuration);
        builder.Services.AddSingleton(ModelSecrets.From(builder.Configuration));
        builder.Services.AddSingleton<IChatClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ChatServiceOptions>>();
            IChatClient model = provider is null
                ? new OfflineResponder(options)
                : new FirstTokenRetryChatClient(
                    new ModelRoutingChatClient(provider, provider.Model ?? options.Value.DefaultModel),
                    options.Value,
                    sp.GetRequiredService<ILogger<FirstTokenRetryChatClient>>());
            return new BudgetedChatClient(new StallTimeoutChatClient(model, options.Value), sp.GetRequiredService<ITokenBudgetStore>(),
                options, sp.GetRequiredService<ILogger<BudgetedChatClient>>());
        });
        // One place per deployment: Redis when configured (every replica shares it), else this process's memory.
        builder.Services.AddSingleton<ITokenBudgetStore>(sp =>
        {
            var window = sp.GetRequiredService<IOptions<ChatServiceOptions>>().Value.TokenBudgetWindow;
            return sp.GetService<RedisConnection>() is { } redis
                ? new RedisTokenBudgetStore(redis, window)
                : new MemoryTokenBudgetStore(sp.GetRequiredService<TimeProvider>(), window);
        });

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
        builder.Services.AddSingleton<ThreadTurns>();
        builder.Services.AddScoped<RunExecutor>();
        builder.Services.AddSingleton<RunRegistry>();
        builder.Services.AddSingleton<RunQueue>();
        builder.Services.AddSingleton<RunLeaseKeeper>();
        builder.Services.AddHostedService<RunWorker>();
        builder.Services.AddScoped<ResponseRunner>();
        // Compaction items are sealed with keys every replica shares and a restart keeps: the key ring lives in chatdb,
        // beside the items that carry sealed content. The application name, not the content root (Data Protection's
        // default), decides who may open them, so replicas installed at different paths agree.
        builder.Services.AddDataProtection().SetApplicationName("chat-service").PersistKeysToDbContext<ChatDbContext>();
        builder.Services.AddSingleton<ResponseCompaction>();
        builder.Services.AddSingleton<Leases>();
        builder.Services.AddSingleton<BackgroundResponseQueue>();
        builder.Services.AddHostedService<BackgroundResponseWorker>();
    }
}
