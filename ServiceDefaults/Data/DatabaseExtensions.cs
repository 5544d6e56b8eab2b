using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDefaults.Data;

namespace Microsoft.Extensions.Hosting;

public static class DatabaseExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the database ConnectionStrings:{name} names: `Host=...` is
    /// PostgreSQL through Aspire's AddNpgsqlDbContext, `Data Source=...` is SQLite, and nothing at all is a SQLite file
    /// under .data/. The schema is migrated on start (docs/migrations.md), before the service accepts requests, and /health
    /// checks the connection under the connection's name.
    /// </summary>
    public static IHostApplicationBuilder AddDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var target = DatabaseTarget.Resolve(
            builder.Configuration.GetConnectionString(connectionName), connectionName, builder.Environment.ContentRootPath);
        builder.Services.AddKeyedSingleton(connectionName, target);
        if (target.Provider == DatabaseProvider.PostgreSql)
        {
            builder.AddNpgsqlDbContext<TContext>(connectionName, settings =>
            {
                settings.ConnectionString = target.ConnectionString;
                // Services open their own transactions, which a retrying execution strategy refuses.
                settings.DisableRetry = true;
                settings.DisableTracing = !Extensions.IsOtlpConfigured(builder.Configuration);
                settings.DisableMetrics = settings.DisableTracing;
                // The check below carries the connection's name, as every other dependency's does.
                settings.DisableHealthChecks = true;
            }, options => options.UseProviderMigrations().AddInterceptors(NulTextGuard.Instance));
        }
        else
        {
            // Writers take turns by awaiting instead of sleeping in Microsoft.Data.Sqlite's busy loop (DatabaseWriteGate).
            var writeTurns = new SqliteWriteTurns(DatabaseWriteGate.For(target.ConnectionString));
            builder.Services.AddKeyedSingleton(connectionName, writeTurns.Gate);
            // Pooled: building a context's internal services on every request was a tenth of a hot route's CPU.
            builder.Services.AddDbContextPool<TContext>(options => options.UseSqlite(target.ConnectionString).UseProviderMigrations()
                .AddInterceptors([.. writeTurns.Interceptors, NulTextGuard.Instance]));
        }
        builder.Services.AddHostedService<DatabaseInitializer<TContext>>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => new DatabaseHealthCheck<TContext>(sp.GetRequiredService<IServiceScopeFactory>()),
            HealthStatus.Unhealthy,
            ["ready"],
            TimeSpan.FromSeconds(3)));
        return builder;
    }
}
