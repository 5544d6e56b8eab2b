using ChatService.Model;
using DocumentService.Model;
using Gateway.Model;
using IntentCacheService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Data;

namespace Migrations.Tests;

/// <summary>Every context with its database name, so a theory can run over all of them and both providers.</summary>
public static class Contexts
{
    private static readonly Dictionary<string, (Func<string[], DbContext> Design, Action<IHostApplicationBuilder> Register)> All = new()
    {
        [nameof(ChatDbContext)] = (DatabaseMigrations.CreateForDesign<ChatDbContext>, b => b.AddDatabase<ChatDbContext>("db")),
        [nameof(DocumentsDbContext)] = (DatabaseMigrations.CreateForDesign<DocumentsDbContext>, b => b.AddDatabase<DocumentsDbContext>("db")),
        [nameof(GatewayDbContext)] = (DatabaseMigrations.CreateForDesign<GatewayDbContext>, b => b.AddDatabase<GatewayDbContext>("db")),
        [nameof(IntentDbContext)] = (DatabaseMigrations.CreateForDesign<IntentDbContext>, b => b.AddDatabase<IntentDbContext>("db")),
    };

    public static TheoryData<string, string> EveryContextOnEveryProvider()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in All.Keys)
        {
            data.Add(name, "Sqlite");
            data.Add(name, "Postgres");
        }
        return data;
    }

    /// <summary>A context as dotnet-ef makes it: the model and the provider's migrations, no database opened.</summary>
    public static DbContext ForDesign(string name, string provider) => All[name].Design(["--provider", provider]);

    /// <summary>Registers the context the way its service does, on ConnectionStrings:db.</summary>
    public static void Register(string name, IHostApplicationBuilder builder) => All[name].Register(builder);

    public static Type TypeOf(string name) => All[name].Design(["--provider", "Sqlite"]).GetType();
}
