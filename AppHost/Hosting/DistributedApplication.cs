using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace AppHost.Hosting;

public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];

    internal DistributedApplicationBuilder(string[] args)
    {
        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var metadata = typeof(DistributedApplicationBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .ToDictionary(a => a.Key, a => a.Value ?? "");
        RepositoryRoot = metadata["RepositoryRoot"];
        BuildConfiguration = metadata["Configuration"];
        TargetFramework = metadata["TargetFramework"];
        DataDirectory = Path.GetFullPath(Configuration["AppHost:DataDirectory"] ?? Path.Combine(RepositoryRoot, ".data"));
    }

    public IConfiguration Configuration { get; }

    public string RepositoryRoot { get; }

    public string BuildConfiguration { get; }

    public string TargetFramework { get; }

    public string DataDirectory { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    public ResourceBuilder<ProjectResource> AddProject(string name, string projectName) =>
        Add(new ProjectResource(name, projectName));

    public ResourceBuilder<RedisResource> AddRedis(string name)
    {
        var mode = Configuration["AppHost:Redis"] ?? "auto";
        var executable = mode.Equals("off", StringComparison.OrdinalIgnoreCase) ? null : Executables.Find("redis-server");
        return Add(new RedisResource(name, executable));
    }

    /// <summary>
    /// A PostgreSQL cluster under .data/postgres, only with AppHost:Postgres=on and the PostgreSQL 15 binaries
    /// installed: SQLite needs nothing, so it stays the default.
    /// </summary>
    public ResourceBuilder<PostgresResource> AddPostgres(string name)
    {
        var wanted = string.Equals(Configuration["AppHost:Postgres"], "on", StringComparison.OrdinalIgnoreCase);
        var bin = Configuration["AppHost:PostgresBin"] ?? "/usr/lib/postgresql/15/bin";
        return Add(new PostgresResource(name, wanted && File.Exists(Path.Combine(bin, "postgres")) ? bin : null));
    }

    /// <summary>
    /// The database {name}: on <paramref name="server"/> when it runs, else ConnectionStrings:{name} from the
    /// AppHost's configuration, else a SQLite file under .data/.
    /// </summary>
    public ResourceBuilder<DatabaseResource> AddDatabase(string name, ResourceBuilder<PostgresResource>? server = null)
    {
        var configured = Configuration.GetConnectionString(name);
        var fallback = string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(DataDirectory, name + ".db")}"
            : configured;
        return Add(new DatabaseResource(name, fallback, server?.Resource));
    }

    public DistributedApplication Build()
    {
        // The secret by which the gateway vouches for callers (and signs access tokens); services only trust tokens
        // signed with it. Kept under .data/ so that sessions survive a restart of the AppHost.
        var signingKey = Configuration["Identity:SigningKey"] ?? LocalSecret("identity.key");
        foreach (var project in _resources.OfType<ProjectResource>())
        {
            project.Environment.Add(env => env["Identity__SigningKey"] = signingKey);
        }
        return new DistributedApplication(this);
    }

    private string LocalSecret(string fileName)
    {
        Directory.CreateDirectory(DataDirectory);
        var path = Path.Combine(DataDirectory, fileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: >= 32 } existing)
        {
            return existing;
        }
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return secret;
    }

    private ResourceBuilder<T> Add<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named {resource.Name} exists already.");
        }
        _resources.Add(resource);
        return new ResourceBuilder<T>(resource);
    }
}

public sealed class DistributedApplication
{
    private readonly DistributedApplicationBuilder _builder;

    internal DistributedApplication(DistributedApplicationBuilder builder) => _builder = builder;

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    /// <summary>Runs every resource until Ctrl+C or SIGTERM; returns non-zero when something failed to start.</summary>
    public async Task<int> RunAsync()
    {
        await using var orchestrator = new Orchestrator(_builder);
        return await orchestrator.RunAsync().ConfigureAwait(false);
    }
}
