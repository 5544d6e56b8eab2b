namespace AppHost.Hosting;

/// <summary>
/// A thing the AppHost runs or hands to others, named as every service and manifest will know it. The model
/// (resources, references, waits) is kept apart from how it is run, so a publisher can walk the same model.
/// </summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    /// <summary>Resources that must be ready before this one starts.</summary>
    public List<Resource> WaitsFor { get; } = [];

    /// <summary>Environment variables this resource gets, computed once every port is known.</summary>
    public List<Action<IDictionary<string, string>>> Environment { get; } = [];

    /// <summary>Whether the resource runs at all (an optional server that is not installed does not).</summary>
    public virtual bool IsEnabled => true;
}

/// <summary>Something other resources reference through ConnectionStrings__{name}.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    /// <summary>Null when the resource is disabled: referencing services then use their embedded default.</summary>
    string? ConnectionString { get; }
}

/// <summary>A .NET project of this repository, run from its build output.</summary>
public sealed class ProjectResource(string name, string projectName) : Resource(name)
{
    public string ProjectName { get; } = projectName;

    public int? FixedPort { get; set; }

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; }

    public Uri HttpEndpoint => new($"http://{(Host == "localhost" ? "127.0.0.1" : Host)}:{Port}");
}

/// <summary>A local redis-server under .data/redis, if the binary is installed.</summary>
public sealed class RedisResource(string name, string? executable) : Resource(name), IResourceWithConnectionString
{
    public string? Executable { get; } = executable;

    public int Port { get; set; }

    public override bool IsEnabled => Executable is not null;

    public string? ConnectionString => IsEnabled ? $"127.0.0.1:{Port}" : null;
}

/// <summary>A local PostgreSQL 15 cluster under .data/postgres, when asked for and installed.</summary>
public sealed class PostgresResource(string name, string? binDirectory) : Resource(name)
{
    public string? BinDirectory { get; } = binDirectory;

    public int Port { get; set; }

    public override bool IsEnabled => BinDirectory is not null;
}

/// <summary>
/// A database a service owns: on the local PostgreSQL cluster when it runs, else the connection string configured,
/// else a SQLite file under .data/.
/// </summary>
public sealed class DatabaseResource(string name, string fallbackConnectionString, PostgresResource? server) : Resource(name), IResourceWithConnectionString
{
    public PostgresResource? Server { get; } = server;

    public string? ConnectionString => Server is { IsEnabled: true } pg
        ? $"Host=127.0.0.1;Port={pg.Port};Username=postgres;Database={Name}"
        : fallbackConnectionString;
}
