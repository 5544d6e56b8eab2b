using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Limits;
using ServiceDefaults.Caching;

namespace Gateway.Tests;

/// <summary>Limits held exactly by two gateway instances that share a real redis-server and a real PostgreSQL.</summary>
public sealed class LimiterTests
{
    private static async Task<(GatewayHost First, GatewayHost Second, RedisServer Redis)> StartTwoInstancesAsync(Backends backends)
    {
        var redis = await SharedServers.RedisAsync();
        var postgres = await SharedServers.PostgresAsync();
        var database = await postgres.CreateDatabaseAsync("gateway");
        var settings = new Dictionary<string, string> { ["ConnectionStrings:cache"] = redis.ConnectionString };
        var first = GatewayHost.Start(backends.Addresses, settings, database);
        // The first instance creates the schema before the second starts, as a rolling deployment would.
        await first.Client.GetAsync(new Uri("/alive", UriKind.Relative));
        var second = GatewayHost.Start(backends.Addresses, settings, database);
        await second.Client.GetAsync(new Uri("/alive", UriKind.Relative));
        return (first, second, redis);
    }

    [Fact]
    public async Task TwoInstancesSharingRedisAdmitExactlyFiftyOfTwoHundredConcurrentRequests()
    {
        await using var backends = await Backends.StartAsync();
        var (first, second, _) = await StartTwoInstancesAsync(backends);
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

    [Fact]
    public async Task FiftyConcurrentStreamsNeverHoldMoreThanTheKeysTokenBudgetAndSettleToTheReportedUsage()
    {
        const int tpm = 1000;
        const int maxTokens = 100;
        const int reportedTotal = 60;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        await using var backends = await Backends.StartAsync(async (_, context) =>
        {
            Interlocked.Increment(ref started);
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n");
            await context.Response.Body.FlushAsync();
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n");
            await context.Response.WriteAsync(": usage {\"prompt_tokens\":20,\"completion_tokens\":40,\"total_tokens\":60}\n\n");
            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        var (first, second, redis) = await StartTwoInstancesAsync(backends);
        await using var _1 = first;
        await using var _2 = second;
        var session = await first.SignUpAsync();
        var (keyId, secret) = await first.CreateKeyAsync(session, tpm: tpm);
        var body = JsonSerializer.Serialize(new
        {
            model = "gpt-test",
            stream = true,
            max_tokens = maxTokens,
            messages = new[] { new { role = "user", content = "Say hello." } },
        });
        var reservation = (Encoding.UTF8.GetByteCount(body) + 3) / 4 + maxTokens;
        var rejected = 0;

        var streams = Enumerable.Range(0, 50).Select(async i =>
        {
            var gateway = i % 2 == 0 ? first : second;
            using var request = GatewayHost.Request(HttpMethod.Post, "/v1/chat/completions", secret);
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                Interlocked.Increment(ref rejected);
                return (Admitted: false, Text: "");
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (Admitted: true, Text: await response.Content.ReadAsStringAsync());
        }).ToList();

        // Every stream stays open until all fifty were decided, so the admitted ones are truly concurrent.
        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref started) + Volatile.Read(ref rejected) == 50),
            TimeSpan.FromSeconds(30), "all fifty streams decided");
        var heldWhileOpen = await UsedAsync(redis, keyId);
        gate.SetResult();
        var results = await Task.WhenAll(streams);

        var admitted = results.Count(r => r.Admitted);
        Assert.Equal(tpm / reservation, admitted);
        Assert.True(heldWhileOpen <= tpm, $"reservations held {heldWhileOpen} of {tpm}");
        Assert.Equal(admitted * reservation, heldWhileOpen);
        Assert.True(admitted * reportedTotal <= tpm);
        Assert.All(results.Where(r => r.Admitted), r => Assert.Contains("data: [DONE]", r.Text, StringComparison.Ordinal));
        Assert.Equal(admitted, backends.Seen("chat-service").Count);

        // Settled to what was used: the freed room admits another request.
        Assert.Equal(admitted * reportedTotal, await UsedAsync(redis, keyId));
        using var next = GatewayHost.Request(HttpMethod.Post, "/v1/chat/completions", secret);
        next.Content = new StringContent(body, Encoding.UTF8, "application/json");
        gate.TrySetResult();
        using var nextResponse = await first.Client.SendAsync(next);
        Assert.Equal(HttpStatusCode.OK, nextResponse.StatusCode);
    }

    [Fact]
    public async Task NonStreamedUsageSettlesFromItsHeaderAFailureGivesItsReservationBackAndNoReportKeepsIt()
    {
        const int tpm = 300;
        var calls = 0;
        await using var backends = await Backends.StartAsync((_, context) =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call == 2)
            {
                context.Response.StatusCode = 500;
                return Task.CompletedTask;
            }
            if (call == 1)
            {
                context.Response.Headers["X-Usage-Tokens"] = "10,20";
            }
            return context.Response.WriteAsync("""{"object":"chat.completion"}""");
        });
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (_, secret) = await gateway.CreateKeyAsync(session, tpm: tpm);
        var body = """{"model":"gpt-test","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}""";
        var reservation = (Encoding.UTF8.GetByteCount(body) + 3) / 4 + 100;
        Assert.True(2 * reservation <= tpm && 3 * reservation > tpm, "the arithmetic below needs two reservations to fit and three not to");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var request = GatewayHost.Request(HttpMethod.Post, "/v1/chat/completions", secret);
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        // The first settles to 30, the failure gives its reservation back, the next two report nothing and so keep
        // their whole reservations: 30 + 2 reservations fit, a third does not. Without the settlement or the
        // release the fourth request would already be refused.
        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests],
            statuses);
    }

    [Fact]
    public async Task AMaxTokensNearTheLargestNumberIsRefusedWithoutOpeningTheKeysBudget()
    {
        await using var backends = await Backends.StartAsync((_, context) =>
        {
            context.Response.Headers["X-Usage-Tokens"] = "10,10";
            return context.Response.WriteAsync("""{"object":"chat.completion"}""");
        });
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (_, secret) = await gateway.CreateKeyAsync(session, tpm: 1000);
        async Task<HttpStatusCode> AskAsync(string maxTokens)
        {
            using var request = GatewayHost.Request(HttpMethod.Post, "/v1/chat/completions", secret);
            request.Content = new StringContent(
                $$"""{"model":"gpt-test","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request);
            return response.StatusCode;
        }

        var huge = await AskAsync(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Had the estimate wrapped negative, the budget would now hold room for this one too.
        var overBudget = await AskAsync("2000");
        var fits = await AskAsync("100");

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], new[] { huge, overBudget, fits });
        Assert.Single(backends.Seen("chat-service"));
    }

    private static async Task<long> UsedAsync(RedisServer redis, string keyId)
    {
        using var connection = new RedisConnection(redis.ConnectionString);
        var value = await connection.Database.HashGetAsync(RedisLimitStore.RedisKey("tpm:" + keyId), "sum");
        return value.IsNull ? 0 : (long)value;
    }
}
