using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ServiceDefaults.Data;

/// <summary>
/// The migrations of one context for one provider. Each service keeps a set per provider (Migrations/Sqlite and
/// Migrations/Postgres, namespaces ending in .Migrations.Sqlite and .Migrations.Postgres) in its own assembly; EF's
/// default would see both sets at once, so this one shows only the namespace of the provider in use. Our own class:
/// EF's MigrationsAssembly is internal API.
/// </summary>
internal sealed class ProviderMigrationsAssembly(ICurrentDbContext current, IDbContextOptions options) : IMigrationsAssembly
{
    private readonly Lazy<(IReadOnlyDictionary<string, TypeInfo> Migrations, ModelSnapshot? Snapshot)> found = new(() => Find(current, options));

    public IReadOnlyDictionary<string, TypeInfo> Migrations => found.Value.Migrations;

    public ModelSnapshot? ModelSnapshot => found.Value.Snapshot;

    public Assembly Assembly => current.Context.GetType().Assembly;

    public string? FindMigrationId(string nameOrId) =>
        Migrations.Keys.FirstOrDefault(id => string.Equals(id, nameOrId, StringComparison.OrdinalIgnoreCase))
        ?? Migrations.Keys.FirstOrDefault(id => string.Equals(id[(id.IndexOf('_') + 1)..], nameOrId, StringComparison.OrdinalIgnoreCase));

    public Migration CreateMigration(TypeInfo migrationClass, string activeProvider)
    {
        var migration = (Migration)Activator.CreateInstance(migrationClass.AsType())!;
        migration.ActiveProvider = activeProvider;
        return migration;
    }

    /// <summary>The namespace suffix of a provider's migrations: ".Migrations.Sqlite" or ".Migrations.Postgres".</summary>
    public static string NamespaceSuffix(DatabaseProvider provider) =>
        provider == DatabaseProvider.PostgreSql ? ".Migrations.Postgres" : ".Migrations.Sqlite";

    private static (IReadOnlyDictionary<string, TypeInfo>, ModelSnapshot?) Find(ICurrentDbContext current, IDbContextOptions options)
    {
        var contextType = current.Context.GetType();
        var suffix = NamespaceSuffix(ProviderOf(options));
        var ours = contextType.Assembly.DefinedTypes
            .Where(t => !t.IsAbstract && t.Namespace?.EndsWith(suffix, StringComparison.Ordinal) == true)
            .Where(t => t.GetCustomAttribute<DbContextAttribute>()?.ContextType == contextType)
            .ToList();
        var migrations = ours
            .Where(t => t.IsSubclassOf(typeof(Migration)) && t.GetCustomAttribute<MigrationAttribute>() is not null)
            .ToDictionary(t => t.GetCustomAttribute<MigrationAttribute>()!.Id, t => t);
        var snapshot = ours.FirstOrDefault(t => t.IsSubclassOf(typeof(ModelSnapshot)));
        return (
            new SortedDictionary<string, TypeInfo>(migrations, StringComparer.Ordinal),
            snapshot is null ? null : (ModelSnapshot)Activator.CreateInstance(snapshot.AsType())!);
    }

    private static DatabaseProvider ProviderOf(IDbContextOptions options) =>
        options.Extensions.Any(e => e.GetType().Name.StartsWith("Npgsql", StringComparison.Ordinal))
            ? DatabaseProvider.PostgreSql
            : DatabaseProvider.Sqlite;
}
