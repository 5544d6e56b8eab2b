using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests;

/// <summary>Requests that change one API key at the same moment: each change lands, and a revoke is answered once.</summary>
public sealed class KeyRacesTests
{
    [Fact]
    public async Task OfRevokesOfOneKeyRacingEachOtherExactlyOneAnswersItRevokedAndTheRest404()
    {
        await using var backends = await Backends.StartAsync();
        // On PostgreSQL, where the revokes' reads and writes interleave freely.
        await using var gateway = GatewayHost.Start(backends.Addresses, database: await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("keys"));
        var session = await gateway.SignUpAsync();
        var (id, _) = await gateway.CreateKeyAsync(session);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var revoke = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Delete, $"/api/keys/{id}", session.AccessToken));
            return revoke.StatusCode;
        }));

        Assert.Single(answers, a => a == HttpStatusCode.NoContent);
        Assert.All(answers.Where(a => a != HttpStatusCode.NoContent), a => Assert.Equal(HttpStatusCode.NotFound, a));
    }

    [Fact]
    public async Task DeletingAllOfAKeysAssistantsAtOnceLeavesItsScopeEmpty()
    {
        string[] assistants = ["asst_a", "asst_b", "asst_c"];
        // chat-service confirms the deletes only once all three have reached it, so the gateway's scope updates race.
        var arrived = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backends = await Backends.StartAsync(async (service, context) =>
        {
            if (context.Request.Method == "DELETE" && Interlocked.Increment(ref arrived) == assistants.Length)
            {
                allArrived.SetResult();
            }
            if (context.Request.Method == "DELETE")
            {
                await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            await context.Response.WriteAsJsonAsync(new { service, deleted = true });
        });
        await using var gateway = GatewayHost.Start(backends.Addresses);
        var session = await gateway.SignUpAsync();
        var (id, secret) = await gateway.CreateKeyAsync(session, assistants);

        var deletes = await Task.WhenAll(assistants.Select(async assistant =>
        {
            using var deleted = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Delete, $"/v1/assistants/{assistant}", session.AccessToken));
            return deleted.StatusCode;
        }));
        using var list = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/api/keys", session.AccessToken));
        var key = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        using var withKey = await gateway.Client.SendAsync(GatewayHost.Request(HttpMethod.Get, "/v1/assistants", secret));

        Assert.All(deletes, d => Assert.Equal(HttpStatusCode.OK, d));
        Assert.Empty(key.GetProperty("assistants").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, withKey.StatusCode);
    }
}
