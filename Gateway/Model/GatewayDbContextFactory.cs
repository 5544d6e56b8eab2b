using Microsoft.EntityFrameworkCore.Design;
using ServiceDefaults.Data;

namespace Gateway.Model;

/// <summary>How dotnet-ef makes the context (scripts/add-migration.sh); the service itself registers it with AddDatabase.</summary>
public sealed class GatewayDbContextFactory : IDesignTimeDbContextFactory<GatewayDbContext>
{
    public GatewayDbContext CreateDbContext(string[] args) => DatabaseMigrations.CreateForDesign<GatewayDbContext>(args);
}
