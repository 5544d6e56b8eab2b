using AppHost.LocalServers;
using Microsoft.Extensions.Configuration;

namespace AppHost;

/// <summary>
/// What this machine offers and what the developer asked for (AppHost:* settings), decided once. Publishing
/// (the manifest) always describes the full platform, Redis and PostgreSQL included, whatever is installed here.
/// </summary>
internal sealed class AppHostSettings
{
    private readonly IDistributedApplicationBuilder _builder;
    private readonly IResourceBuilder<ParameterResource> _signingKey;

    private AppHostSettings(IDistributedApplicationBuilder builder)
    {
        _builder = builder;
        var configuration = builder.Configuration;
        var publishing = builder.ExecutionContext.IsPublishMode;
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        // A relative path when publishing, so that the manifest reads the same on every machine.
        DataDirectory = publishing
            ? ".data"
            : Path.GetFullPath(configuration["AppHost:DataDirectory"] ?? Path.Combine(repositoryRoot, ".data"));
        GatewayPort = configuration.GetValue("AppHost:GatewayPort", 8080);

        var redisOff = string.Equals(configuration["AppHost:Redis"], "off", StringComparison.OrdinalIgnoreCase);
        RedisServer = publishing ? "redis-server" : redisOff ? null : FindOnPath("redis-server");

        var postgresOn = string.Equals(configuration["AppHost:Postgres"], "on", StringComparison.OrdinalIgnoreCase);
        var bin = configuration["AppHost:PostgresBin"] ?? "/usr/lib/postgresql/15/bin";
        PostgresBin = publishing || (postgresOn && File.Exists(Path.Combine(bin, "postgres"))) ? bin : null;

        // The secret by which the gateway vouches for callers (and signs access tokens); services trust only tokens
        // signed with it. Kept under .data/ so that sessions survive a restart; never written into the manifest.
        _signingKey = builder.AddParameter("identity-signing-key",
            publishing ? "" : configuration["Identity:SigningKey"] ?? LocalSecret.ReadOrCreate(Path.Combine(DataDirectory, "identity.key")),
            secret: true);
    }

    public string DataDirectory { get; }

    public int GatewayPort { get; }

    /// <summary>redis-server's path, or null: services then keep their cache in memory.</summary>
    public string? RedisServer { get; }

    /// <summary>PostgreSQL's bin directory, or null: services then use SQLite files.</summary>
    public string? PostgresBin { get; }

    public static AppHostSettings From(IDistributedApplicationBuilder builder) => new(builder);

    /// <summary>
    /// A service of this repository, on http, healthy once its /health answers. One given a port (the gateway, the
    /// platform's only door) listens on it itself rather than behind the orchestrator's proxy: behind the proxy every
    /// client arrived from the proxy's address, so the per-address limit of anonymous requests was one limit for all
    /// (20 failed logins by anyone locked everyone out of /auth/login).
    /// </summary>
    public IResourceBuilder<ProjectResource> AddService<TProject>(string name, int? port = null)
        where TProject : IProjectMetadata, new() =>
        _builder.AddProject<TProject>(name)
            .WithHttpEndpoint(port: port, name: "http", isProxied: port is null)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("Identity__SigningKey", _signingKey)
            // Aspire runs a project without its launch profile; the services follow the AppHost's environment
            // (Development under `dotnet run --project AppHost`), as they did before Aspire.
            .WithRunEnvironment(_builder, "ASPNETCORE_ENVIRONMENT", _builder.Environment.EnvironmentName)
            // On Ctrl+C the dashboard stops first, and each service's last telemetry export then fails: a short export
            // timeout and no retry (Aspire asks for an in-memory one) keep a service's stop at about 0.1 s; with the
            // retry it took 1.5-2.5 s, which, under load, pushed the platform's stop past 10 s.
            .WithRunEnvironment(_builder, "OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            .WithEnvironment(context =>
            {
                if (context.ExecutionContext.IsRunMode)
                {
                    context.EnvironmentVariables.Remove("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY");
                }
            });

    /// <summary>
    /// The database {name}: on <paramref name="server"/> when it runs, else ConnectionStrings:{name} from the
    /// AppHost's configuration, else a SQLite file under .data/.
    /// </summary>
    public IResourceBuilder<IResourceWithConnectionString> Database(
        IDistributedApplicationBuilder builder, string name, IResourceBuilder<PostgresServerResource>? server)
    {
        if (server is not null)
        {
            return builder.AddDatabase(name, server);
        }
        var configured = builder.Configuration.GetConnectionString(name);
        var value = string.IsNullOrWhiteSpace(configured) ? $"Data Source={Path.Combine(DataDirectory, name + ".db")}" : configured;
        return builder.AddConnectionString(name, ReferenceExpression.Create($"{value}"));
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
