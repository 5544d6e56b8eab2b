using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Discovery;

namespace ServiceDefaults.Tests;

public sealed class DiscoveryTests
{
    [Fact]
    public void ResolverMapsALogicalNameToItsConfiguredEndpointsInTurn()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:chat-service:http:0"] = "http://127.0.0.1:5001",
            ["services:chat-service:http:1"] = "http://127.0.0.1:5002",
        }).Build();
        var resolver = new ServiceEndpointResolver(configuration);

        var first = resolver.Resolve(new Uri("http://chat-service/v1/models?x=1"));
        var second = resolver.Resolve(new Uri("http://chat-service/v1/models?x=1"));
        var unknown = resolver.Resolve(new Uri("http://api.example.com/v1/models"));

        Assert.Equal(new Uri("http://127.0.0.1:5001/v1/models?x=1"), first);
        Assert.Equal(new Uri("http://127.0.0.1:5002/v1/models?x=1"), second);
        Assert.Equal(new Uri("http://api.example.com/v1/models"), unknown);
    }

    [Fact]
    public async Task AnHttpClientFromTheFactoryReachesASiblingByItsServiceName()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx => ctx.Response.WriteAsync("hello from " + ctx.Request.Path));
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:document-service:http:0"] = sibling.Url.ToString().TrimEnd('/'),
        });
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("documents");

        var answer = await client.GetStringAsync(new Uri("http://document-service/api/ping"));

        Assert.Equal("hello from /api/ping", answer);
    }
}
