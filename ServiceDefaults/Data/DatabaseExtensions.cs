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
    /// PostgreSQL, `Data Source=...` is SQLite, and nothing at all is a SQLite file under .data/. The schema is
    /// created on start (EnsureCreated), before the service accepts requests, and /health checks the connection.
    /// </summary>
    public static IHostApplicationBuilder AddDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var target = DatabaseTarget.Resolve(
            builder.Configuration.GetConnectionString(connectionName), connectionName, builder.Environment.ContentRootPath);
        builder.Services.AddKeyedSingleton(connectionName, target);
        // Pooled: building a context's internal services on every request was a tenth of a hot route's CPU.
        builder.Services.AddDbContextPool<TContext>(options => target.Configure(options));
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
