using System.Net;

namespace Gateway.Tests;

/// <summary>Limits held exactly by two gateway instances that share a real redis-server and a real PostgreSQL.</summary>
public sealed class LimiterTests
{
    private static async Task<(GatewayHost First, GatewayHost Second)> StartTwoInstancesAsync(Backends backends)
    {
        // A Redis database of their own: the limit on anonymous requests (sign-ups) is one key for every test on 127.0.0.1.
        var cache = (await SharedServers.RedisAsync()).ConnectionStringOfNewDatabase();
        var postgres = await SharedServers.PostgresAsync();
        var database = await postgres.CreateDatabaseAsync("gateway");
        var settings = new Dictionary<string, string> { ["ConnectionStrings:cache"] = cache };
        var first = GatewayHost.Start(backends.Addresses, settings, database);
        // The first instance creates the schema before the second starts, as a rolling deployment would.
        await first.Client.GetAsync(new Uri("/alive", UriKind.Relative));
        var second = GatewayHost.Start(backends.Addresses, settings, database);
        await second.Client.GetAsync(new Uri("/alive", UriKind.Relative));
        return (first, second);
    }

    [Fact]
    public async Task TwoInstancesSharingRedisAdmitExactlyFiftyOfTwoHundredConcurrentRequests()
    {
        await using var backends = await Backends.StartAsync();
        var (first, second) = await StartTwoInstancesAsync(backends);
        await using var _1 = first;
        await using var _2 = second;
        var session = await first.SignUpAsync();
        var (_, secret) = await first.CreateKeyAsync(session, rpm: 52);
        // One request through each instance first (both now know the key), leaving a budget of exactly 50.
        foreach (var warm in new[] { first, second })
        {
            using var response = await warm.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", secret));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var gateway = i % 2 == 0 ? first : second;
            using var response = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/models", secret));
            return (Instance: i % 2, response.StatusCode);
        }));

        Assert.Equal(50, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(150, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(52, backends.Seen("chat-service").Count);
        // Each instance had 100 requests: with budgets of their own they would have admitted up to 100 in all.
        Assert.Equal(100, answers.Count(a => a.Instance == 0));
    }
}
