using Microsoft.EntityFrameworkCore.Design;
using ServiceDefaults.Data;

namespace IntentCacheService.Model;

/// <summary>How dotnet-ef makes the context (scripts/add-migration.sh); the service itself registers it with AddDatabase.</summary>
public sealed class IntentDbContextFactory : IDesignTimeDbContextFactory<IntentDbContext>
{
    public IntentDbContext CreateDbContext(string[] args) => DatabaseMigrations.CreateForDesign<IntentDbContext>(args);
}
