using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Migrations.Tests;

/// <summary>A host that registers one context as its service does and starts (which migrates), and its database.</summary>
internal sealed class MigratedDatabase(IHost host, Type contextType) : IAsyncDisposable
{
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using DbConnection connection = connectionString.StartsWith("Host=", StringComparison.Ordinal)
            ? new NpgsqlConnection(connectionString)
            : new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<MigratedDatabase> StartAsync(string context, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:db"] = connectionString });
        Contexts.Register(context, builder);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new MigratedDatabase(host, Contexts.TypeOf(context));
    }

    public async Task<T> WithContextAsync<T>(Func<DbContext, Task<T>> use)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await use((DbContext)scope.ServiceProvider.GetRequiredService(contextType));
    }

    /// <summary>Every row of an entity type, read through the current model (so its columns must map).</summary>
    public static async Task<List<object>> RowsAsync(DbContext db, IEntityType entity)
    {
        var set = (IQueryable<object>)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!
            .MakeGenericMethod(entity.ClrType).Invoke(db, null)!;
        return await set.AsNoTracking().ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
