using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Migrations.Tests;

/// <summary>
/// Databases made before migrations existed (EnsureCreated on main, kept in MainSchema/ with two rows a table) start
/// on the new code: recorded as at the first migration, every later one applied, every row still there.
/// </summary>
public sealed partial class UpgradeFromEnsureCreatedTests
{
    [Theory]
    [MemberData(nameof(Contexts.EveryContextOnEveryProvider), MemberType = typeof(Contexts))]
    public async Task ADatabaseMadeByMainsEnsureCreatedUpgradesInPlaceAndKeepsItsRows(string context, string provider)
    {
        using var empty = await EmptyDatabase.CreateAsync(provider);
        var connectionString = empty.ConnectionString;
        var mainSchema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "MainSchema", $"{context}.{provider}.sql"));
        await MigratedDatabase.ExecuteAsync(connectionString, mainSchema);
        var tables = CreatedTable().Matches(mainSchema).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(tables);

        await using var upgraded = await MigratedDatabase.StartAsync(context, connectionString);

        await upgraded.WithContextAsync(async db =>
        {
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            foreach (var table in tables)
            {
                // A table name cannot be a parameter; these come from the kept fixture.
                var sql = $"SELECT COUNT(*) AS \"Value\" FROM \"{table}\"";
                var count = await db.Database.SqlQueryRaw<long>(sql).SingleAsync();
                Assert.True(count == 2, $"{table} has {count} rows after the upgrade, not the 2 it had");
            }
            foreach (var entity in db.Model.GetEntityTypes().Where(e => tables.Contains(e.GetTableName()!)))
            {
                Assert.Equal(2, (await MigratedDatabase.RowsAsync(db, entity)).Count);
            }
            return true;
        });
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task UpgradingTwiceChangesNothing(string provider)
    {
        using var empty = await EmptyDatabase.CreateAsync(provider);
        var connectionString = empty.ConnectionString;
        await MigratedDatabase.ExecuteAsync(connectionString,
            await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "MainSchema", $"IntentDbContext.{provider}.sql")));
        await (await MigratedDatabase.StartAsync("IntentDbContext", connectionString)).DisposeAsync();

        await using var again = await MigratedDatabase.StartAsync("IntentDbContext", connectionString);

        Assert.Equal(2, await again.WithContextAsync(db =>
            db.Database.SqlQueryRaw<long>("SELECT COUNT(*) AS \"Value\" FROM \"IntentSets\"").SingleAsync()));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task ADatabaseWithTablesButNotMainsSchemaIsRefusedWithTheDifference(string provider)
    {
        using var empty = await EmptyDatabase.CreateAsync(provider);
        var connectionString = empty.ConnectionString;
        await MigratedDatabase.ExecuteAsync(connectionString, "CREATE TABLE \"IntentSets\" (\"AssistantId\" text PRIMARY KEY, \"Colour\" text)");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => MigratedDatabase.StartAsync("IntentDbContext", connectionString));

        Assert.Contains("IntentSets", error.Message, StringComparison.Ordinal);
        Assert.Contains("Colour", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("CREATE TABLE \"?([A-Za-z_]+)")]
    private static partial Regex CreatedTable();
}
