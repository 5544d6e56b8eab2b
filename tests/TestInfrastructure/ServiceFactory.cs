using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TestInfrastructure;

/// <summary>
/// Hosts a service in the test process with the settings a test gives (connection strings, options). Settings are
/// applied as host settings, so Program.cs sees them while it registers services.
/// </summary>
public class ServiceFactory<TProgram> : WebApplicationFactory<TProgram> where TProgram : class
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Identity:SigningKey"] = TestIdentity.SigningKey,
    };

    public ServiceFactory<TProgram> With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>A SQLite file of this factory's own for ConnectionStrings:{name}.</summary>
    public ServiceFactory<TProgram> WithSqlite(string name) =>
        With($"ConnectionStrings:{name}", $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("db-").FullName, name + ".db")}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
