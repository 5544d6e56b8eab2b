using AppHost.LocalServers;

namespace AppHost;

internal static class ResourceBuilderExtensions
{
    /// <summary>Redis when it runs here (and waits for it); without it the service keeps its cache in memory.</summary>
    public static IResourceBuilder<ProjectResource> WithCache(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<RedisServerResource>? cache) =>
        cache is null ? service : service.WithReference(cache).WaitFor(cache);

    /// <summary>A database the service owns; usable only once its server is.</summary>
    public static IResourceBuilder<ProjectResource> WithDatabase(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithConnectionString> database) =>
        service.WithReference(database).WaitFor(database);

    /// <summary>Settings that name paths on this machine: run mode only, never in the manifest.</summary>
    public static IResourceBuilder<ProjectResource> WithRunEnvironment(
        this IResourceBuilder<ProjectResource> service, IDistributedApplicationBuilder builder, string name, string value) =>
        builder.ExecutionContext.IsRunMode ? service.WithEnvironment(name, value) : service;
}
