using Microsoft.EntityFrameworkCore.Design;
using ServiceDefaults.Data;

namespace DocumentService.Model;

/// <summary>How dotnet-ef makes the context (scripts/add-migration.sh); the service itself registers it with AddDatabase.</summary>
public sealed class DocumentsDbContextFactory : IDesignTimeDbContextFactory<DocumentsDbContext>
{
    public DocumentsDbContext CreateDbContext(string[] args) => DatabaseMigrations.CreateForDesign<DocumentsDbContext>(args);
}
