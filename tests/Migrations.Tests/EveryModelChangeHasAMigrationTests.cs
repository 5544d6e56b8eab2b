using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Migrations.Tests;

public sealed class EveryModelChangeHasAMigrationTests
{
    [Theory]
    [MemberData(nameof(Contexts.EveryContextOnEveryProvider), MemberType = typeof(Contexts))]
    public void TheModelEqualsWhatItsMigrationsBuild(string context, string provider)
    {
        using var db = Contexts.ForDesign(context, provider);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"{context} on {provider} changed without a migration: run scripts/add-migration.sh NAME (docs/migrations.md).");
    }

    [Theory]
    [MemberData(nameof(Contexts.EveryContextOnEveryProvider), MemberType = typeof(Contexts))]
    public void EachProviderSeesOnlyItsOwnMigrations(string context, string provider)
    {
        using var db = Contexts.ForDesign(context, provider);

        var types = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrationsAssembly>().Migrations.Values;
        Assert.All(types, t => Assert.EndsWith(".Migrations." + provider, t.Namespace, StringComparison.Ordinal));
    }
}
