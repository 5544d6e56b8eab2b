using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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

    private readonly List<TestDirectory> _directories = [];

    public ServiceFactory<TProgram> With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>A SQLite file of this factory's own for ConnectionStrings:{name}, deleted with the factory.</summary>
    public ServiceFactory<TProgram> WithSqlite(string name)
    {
        var directory = TestDirectory.Create("db-");
        _directories.Add(directory);
        return With($"ConnectionStrings:{name}", $"Data Source={Path.Combine(directory.Path, name + ".db")}");
    }

    /// <summary>
    /// Starts the service on Kestrel at a free loopback port, for what only a real server does (a refusal by
    /// Content-Length, a client's connection closing), and answers its address. The port is given as the app's URL:
    /// UseKestrel(port) rewrites the server's addresses after the app has started its own Kestrel, a race that
    /// sometimes throws "Addresses cannot be modified after the server has started" (dotnet/aspnetcore#67714).
    /// </summary>
    public Uri StartOnKestrel()
    {
        With("urls", "http://127.0.0.1:0");
        UseKestrel();
        StartServer();
        return new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        foreach (var directory in _directories)
        {
            directory.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
