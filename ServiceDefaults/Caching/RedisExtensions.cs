using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDefaults.Caching;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class RedisExtensions
{
    /// <summary>
    /// Registers <see cref="IKeyValueStore"/> and <see cref="IMessageBus"/>: on Redis through Aspire's
    /// <c>AddRedisClient</c> when ConnectionStrings:{name} is set (plus <see cref="RedisConnection"/> for scripts and
    /// a /health check named after the connection), in process memory otherwise (one instance only).
    /// </summary>
    public static IHostApplicationBuilder AddPlatformCache(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(connectionName)))
        {
            builder.Services.TryAddSingleton<IKeyValueStore, MemoryKeyValueStore>();
            builder.Services.TryAddSingleton<IMessageBus, MemoryMessageBus>();
            return builder;
        }

        builder.AddRedisClient(
            connectionName,
            settings =>
            {
                // Redis commands become spans only when something receives them (Extensions.ConfigureOpenTelemetry).
                settings.DisableTracing = !Extensions.IsOtlpConfigured(builder.Configuration);
                // Our check below carries the connection's name, as every other dependency's does.
                settings.DisableHealthChecks = true;
                // Connect at start, before requests, rather than on the first request that needs Redis.
                settings.DisableAutoActivation = false;
            },
            options =>
            {
                // Start (and report unhealthy) while Redis is down, and keep reconnecting in the background.
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
                options.SyncTimeout = Math.Min(options.SyncTimeout, 2000);
                // While Redis is away a command fails at once instead of waiting in a backlog, so callers fall back
                // (cache bypassed, limits counted locally) without a request hanging; no call waits over a second.
                options.BacklogPolicy = BacklogPolicy.FailFast;
                options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
                // Back within a second of Redis's return, not after an exponential back-off.
                options.ReconnectRetryPolicy = new LinearRetry(500);
            });
        builder.Services.TryAddSingleton(sp => new RedisConnection(sp.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.TryAddSingleton<IKeyValueStore, RedisKeyValueStore>();
        builder.Services.TryAddSingleton<IMessageBus, RedisMessageBus>();
        builder.Services.AddHealthChecks().AddRedis(
            sp => sp.GetRequiredService<IConnectionMultiplexer>(),
            name: connectionName,
            failureStatus: HealthStatus.Unhealthy,
            tags: ["ready"],
            timeout: TimeSpan.FromSeconds(3));
        return builder;
    }
}
