using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults.Tests;

public sealed class DiscoveryTests
{
    [Fact]
    public async Task RequestsToALogicalNameTakeTurnsAcrossItsConfiguredEndpoints()
    {
        await using var first = await ScriptedHttpServer.StartAsync(ctx => ctx.Response.WriteAsync("first" + ctx.Request.QueryString));
        await using var second = await ScriptedHttpServer.StartAsync(ctx => ctx.Response.WriteAsync("second" + ctx.Request.QueryString));
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:chat-service:http:0"] = first.Url.ToString().TrimEnd('/'),
            ["services:chat-service:http:1"] = second.Url.ToString().TrimEnd('/'),
        });
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("chat");

        var answers = new[]
        {
            await client.GetStringAsync(new Uri("http://chat-service/v1/models?x=1")),
            await client.GetStringAsync(new Uri("http://chat-service/v1/models?x=1")),
        };

        Assert.Equal(["first?x=1", "second?x=1"], answers.Order());
        Assert.Equal("/v1/models", Assert.Single(first.Requests).PathAndQuery.Split('?')[0]);
        Assert.Single(second.Requests);
    }

    [Fact]
    public async Task AnHttpsOrHttpNameFallsBackToTheHttpEndpointWhenNoHttpsOneIsConfigured()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx => ctx.Response.WriteAsync("plain http"));
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:voice-service:http:0"] = sibling.Url.ToString().TrimEnd('/'),
        });
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("voice");

        var answer = await client.GetStringAsync(new Uri("https+http://voice-service/api/ping"));

        Assert.Equal("plain http", answer);
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
