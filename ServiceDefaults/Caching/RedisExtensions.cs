using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.Hosting;

public static class RedisExtensions
{
    /// <summary>
    /// Registers <see cref="ServiceDefaults.Caching.IKeyValueStore"/> and <see cref="ServiceDefaults.Caching.IMessageBus"/>:
    /// on Redis when ConnectionStrings:{name} is set (plus a health check and <see cref="ServiceDefaults.Caching.RedisConnection"/>
    /// for scripts), in process memory otherwise.
    /// </summary>
    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            builder.Services.TryAddSingleton<ServiceDefaults.Caching.IKeyValueStore, ServiceDefaults.Caching.MemoryKeyValueStore>();
            builder.Services.TryAddSingleton<ServiceDefaults.Caching.IMessageBus, ServiceDefaults.Caching.MemoryMessageBus>();
            return builder;
        }

        builder.Services.TryAddSingleton(_ => new ServiceDefaults.Caching.RedisConnection(connectionString));
        builder.Services.AddHostedService<ServiceDefaults.Caching.RedisWarmup>();
        builder.Services.TryAddSingleton<ServiceDefaults.Caching.IKeyValueStore, ServiceDefaults.Caching.RedisKeyValueStore>();
        builder.Services.TryAddSingleton<ServiceDefaults.Caching.IMessageBus, ServiceDefaults.Caching.RedisMessageBus>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => new ServiceDefaults.Caching.RedisHealthCheck(sp.GetRequiredService<ServiceDefaults.Caching.RedisConnection>()),
            HealthStatus.Unhealthy,
            ["ready"],
            TimeSpan.FromSeconds(3)));
        return builder;
    }
}
