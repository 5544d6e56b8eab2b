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
    private readonly List<string> _problems = [];

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
        GatewayPort = 8080;
        if (configuration["AppHost:GatewayPort"] is { } port)
        {
            if (int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var chosen)
                && chosen is > 0 and <= 65535)
            {
                GatewayPort = chosen;
            }
            else
            {
                _problems.Add($"AppHost:GatewayPort must be a port number from 1 to 65535 (it is '{port}').");
            }
        }

        // A switch the developer set but this machine cannot honour is said at once, never quietly replaced: a
        // PostgreSQL asked for and silently swapped for SQLite left the data where nobody looked for it.
        var redis = Switch(configuration, "AppHost:Redis");
        RedisServer = publishing ? "redis-server" : redis is false ? null : FindOnPath("redis-server");
        if (!publishing && redis is true && RedisServer is null)
        {
            _problems.Add("AppHost:Redis is on, but redis-server is not on the PATH: install it (apt install redis-server) or set AppHost:Redis=off.");
        }

        var postgres = Switch(configuration, "AppHost:Postgres");
        var bin = configuration["AppHost:PostgresBin"] ?? NewestPostgresBin() ?? "/usr/lib/postgresql/15/bin";
        PostgresBin = publishing || postgres is true ? bin : null;
        if (!publishing && postgres is true && !File.Exists(Path.Combine(bin, "postgres")))
        {
            _problems.Add($"AppHost:Postgres is on, but {Path.Combine(bin, "postgres")} does not exist: install PostgreSQL " +
                "(apt install postgresql), name its bin directory in AppHost:PostgresBin, or leave AppHost:Postgres unset for SQLite.");
        }

        // The secret by which the gateway vouches for callers (and signs access tokens); services trust only tokens
        // signed with it. Kept under .data/ so that sessions survive a restart; never written into the manifest.
        _signingKey = builder.AddParameter("identity-signing-key",
            publishing ? "" : configuration["Identity:SigningKey"] ?? LocalSecret.ReadOrCreate(Path.Combine(DataDirectory, "identity.key")),
            secret: true);
    }

    public string DataDirectory { get; }

    /// <summary>Settings that are wrong or that this machine cannot honour, each naming the setting; none to start.</summary>
    public IReadOnlyList<string> Problems => _problems;

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

    /// <summary>on/true or off/false (any case), null when unset; anything else is a problem, said once.</summary>
    private bool? Switch(IConfiguration configuration, string key) => configuration[key]?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "on" or "true" => true,
        "off" or "false" => false,
        var other => Problem($"{key} must be on or off (it is '{other}')."),
    };

    private bool? Problem(string problem)
    {
        _problems.Add(problem);
        return null;
    }

    /// <summary>The bin directory of the newest PostgreSQL installed the Debian way (/usr/lib/postgresql/N/bin).</summary>
    private static string? NewestPostgresBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(dir => (Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1, Bin: Path.Combine(dir, "bin")))
                .Where(p => p.Version >= 0 && File.Exists(Path.Combine(p.Bin, "postgres")))
                .OrderByDescending(p => p.Version)
                .Select(p => p.Bin)
                .FirstOrDefault()
            : null;

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
