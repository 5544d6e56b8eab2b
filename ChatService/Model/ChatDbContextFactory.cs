using Microsoft.EntityFrameworkCore.Design;
using ServiceDefaults.Data;

namespace ChatService.Model;

/// <summary>How dotnet-ef makes the context (scripts/add-migration.sh); the service itself registers it with AddDatabase.</summary>
public sealed class ChatDbContextFactory : IDesignTimeDbContextFactory<ChatDbContext>
{
    public ChatDbContext CreateDbContext(string[] args) => DatabaseMigrations.CreateForDesign<ChatDbContext>(args);
}
