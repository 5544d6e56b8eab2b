using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults.Tests;

public sealed class ResilienceTests
{
    [Fact]
    public async Task AGetIsRetriedAfterA503AndSucceeds()
    {
        var calls = 0;
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                ctx.Response.StatusCode = 503;
                return Task.CompletedTask;
            }
            return ctx.Response.WriteAsync("finally");
        });
        await using var host = await StartPointingAt(sibling);

        var answer = await Client(host).GetStringAsync(new Uri("http://sibling/data"));

        Assert.Equal("finally", answer);
        Assert.Equal(3, sibling.Requests.Count);
    }

    [Fact]
    public async Task ARetryWaitsAsLongAsRetryAfterAsks()
    {
        var calls = 0;
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                ctx.Response.StatusCode = 429;
                ctx.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            }
            return ctx.Response.WriteAsync("ok");
        });
        await using var host = await StartPointingAt(sibling);
        var clock = Stopwatch.StartNew();

        var answer = await Client(host).GetStringAsync(new Uri("http://sibling/data"));

        Assert.Equal("ok", answer);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task APostIsNotRetriedBecauseItMayHaveTakenEffect()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx =>
        {
            ctx.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await using var host = await StartPointingAt(sibling);

        using var response = await Client(host).PostAsync(new Uri("http://sibling/orders"), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(sibling.Requests);
    }

    [Fact]
    public async Task AStreamedResponseLongerThanEveryTimeoutIsReadToTheEnd()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(async ctx =>
        {
            await ctx.Response.StartAsync();
            for (var i = 0; i < 8; i++)
            {
                await ctx.Response.WriteAsync($"chunk{i};");
                await ctx.Response.Body.FlushAsync();
                await Task.Delay(150);
            }
        });
        await using var host = await StartPointingAt(sibling, new()
        {
            ["Resilience:TotalTimeout"] = "00:00:00.500",
            ["Resilience:AttemptTimeout"] = "00:00:00.400",
        });

        using var response = await Client(host).GetAsync(new Uri("http://sibling/stream"), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(string.Concat(Enumerable.Range(0, 8).Select(i => $"chunk{i};")), body);
    }

    [Fact]
    public async Task TheCircuitOpensAfterRepeatedFailuresAndStopsCallingTheSibling()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx =>
        {
            ctx.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        await using var host = await StartPointingAt(sibling, new()
        {
            ["Resilience:MaxRetries"] = "0",
            ["Resilience:BreakerMinimumThroughput"] = "4",
            ["Resilience:BreakDuration"] = "00:00:30",
        });
        var client = Client(host);

        for (var i = 0; i < 4; i++)
        {
            using var failed = await client.GetAsync(new Uri("http://sibling/x"));
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }
        var open = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://sibling/x")));

        Assert.Contains("circuit", open.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, sibling.Requests.Count);
    }

    private static Task<TestHost> StartPointingAt(ScriptedHttpServer sibling, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["services:sibling:http:0"] = sibling.Url.ToString().TrimEnd('/'),
            ["Resilience:BaseDelay"] = "00:00:00.010",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }
        return TestHost.StartAsync(settings);
    }

    private static HttpClient Client(TestHost host) =>
        host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("sibling-client");
}
