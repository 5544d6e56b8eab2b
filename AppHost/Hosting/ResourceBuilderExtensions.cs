namespace AppHost.Hosting;

public sealed class ResourceBuilder<T>(T resource) where T : Resource
{
    public T Resource { get; } = resource;
}

/// <summary>Aspire's vocabulary for wiring resources, so this Program.cs reads as an Aspire AppHost would.</summary>
public static class ResourceBuilderExtensions
{
    public static ResourceBuilder<T> WithReference<T, TOther>(this ResourceBuilder<T> builder, ResourceBuilder<TOther> other)
        where T : Resource where TOther : Resource
    {
        switch (other.Resource)
        {
            case IResourceWithConnectionString withConnection:
                if (withConnection is DatabaseResource { Server: { } server })
                {
                    // A database is usable only once its server is.
                    builder.Resource.WaitsFor.Add(server);
                }
                builder.Resource.Environment.Add(env =>
                {
                    if (withConnection.ConnectionString is { } cs)
                    {
                        env[$"ConnectionStrings__{withConnection.Name}"] = cs;
                    }
                });
                break;
            case ProjectResource project:
                builder.Resource.Environment.Add(env =>
                    env[$"services__{project.Name}__http__0"] = project.HttpEndpoint.ToString().TrimEnd('/'));
                break;
            default:
                throw new InvalidOperationException($"{other.Resource.Name} cannot be referenced.");
        }
        return builder;
    }

    public static ResourceBuilder<T> WaitFor<T, TOther>(this ResourceBuilder<T> builder, ResourceBuilder<TOther> other)
        where T : Resource where TOther : Resource
    {
        builder.Resource.WaitsFor.Add(other.Resource);
        return builder;
    }

    public static ResourceBuilder<T> WithEnvironment<T>(this ResourceBuilder<T> builder, string name, string value)
        where T : Resource
    {
        builder.Resource.Environment.Add(env => env[name] = value);
        return builder;
    }

    public static ResourceBuilder<ProjectResource> WithHttpEndpoint(
        this ResourceBuilder<ProjectResource> builder, int port, string host = "127.0.0.1")
    {
        builder.Resource.FixedPort = port;
        builder.Resource.Host = host;
        return builder;
    }
}
