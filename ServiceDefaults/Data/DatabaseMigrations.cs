using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ServiceDefaults.Data;

/// <summary>
/// The one place that ties a context's options to its provider's migration set, used at run time and by dotnet-ef
/// (through each service's design-time factory), so both see the same migrations.
/// </summary>
public static class DatabaseMigrations
{
    public static DbContextOptionsBuilder UseProviderMigrations(this DbContextOptionsBuilder options) =>
        options.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();

    /// <summary>
    /// A context for dotnet-ef: `-- --provider Sqlite` or `-- --provider Postgres` after the tool's own arguments
    /// (scripts/add-migration.sh passes it). No database is opened to add a migration.
    /// </summary>
    public static TContext CreateForDesign<TContext>(string[] args) where TContext : DbContext
    {
        var index = Array.IndexOf(args, "--provider");
        var name = index >= 0 && index + 1 < args.Length ? args[index + 1] : "Sqlite";
        var options = new DbContextOptionsBuilder<TContext>();
        if (name.Equals("Postgres", StringComparison.OrdinalIgnoreCase))
        {
            options.UseNpgsql("Host=localhost;Database=design");
        }
        else if (name.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            options.UseSqlite("Data Source=design.db");
        }
        else
        {
            throw new ArgumentException($"--provider must be Sqlite or Postgres, not '{name}'.", nameof(args));
        }
        options.UseProviderMigrations();
        return (TContext)Activator.CreateInstance(typeof(TContext), options.Options)!;
    }
}
