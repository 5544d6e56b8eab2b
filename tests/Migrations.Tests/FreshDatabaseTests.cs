using IntentCacheService.Model;
using Microsoft.EntityFrameworkCore;

namespace Migrations.Tests;

public sealed class FreshDatabaseTests
{
    [Theory]
    [MemberData(nameof(Contexts.EveryContextOnEveryProvider), MemberType = typeof(Contexts))]
    public async Task AnEmptyDatabaseGetsEveryMigration(string context, string provider)
    {
        using var empty = await EmptyDatabase.CreateAsync(provider);
        var connectionString = empty.ConnectionString;

        await using var started = await MigratedDatabase.StartAsync(context, connectionString);

        await started.WithContextAsync(async db =>
        {
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            foreach (var entity in db.Model.GetEntityTypes())
            {
                Assert.Empty(await MigratedDatabase.RowsAsync(db, entity));
            }
            return true;
        });
    }

    [Fact]
    public async Task APostgreSqlDatabaseThatDoesNotExistYetIsCreatedAndKeepsItsRowsAcrossRestarts()
    {
        var connectionString = (await SharedServers.PostgresAsync()).NewDatabaseConnectionString("mig");

        await using (var first = await MigratedDatabase.StartAsync(nameof(IntentDbContext), connectionString))
        {
            await first.WithContextAsync(db =>
            {
                db.Add(new IntentSet { AssistantId = "asst_kept", OwnerId = "usr_1", IntentsJson = "[]", Revision = 1, UpdatedAt = 1 });
                return db.SaveChangesAsync();
            });
        }
        await using var second = await MigratedDatabase.StartAsync(nameof(IntentDbContext), connectionString);

        Assert.Equal(["asst_kept"], await second.WithContextAsync(db => db.Set<IntentSet>().Select(s => s.AssistantId).ToListAsync()));
    }
}
