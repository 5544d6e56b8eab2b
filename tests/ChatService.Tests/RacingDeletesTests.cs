using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>
/// Deletes of the same object sent at the same time on real PostgreSQL: exactly one answers `deleted: true`, every
/// other one 404, and the caller's other objects of the kind stay.
/// </summary>
public sealed class RacingDeletesTests
{
    private const int Racers = 8;

    [Theory]
    [InlineData("assistant")]
    [InlineData("thread")]
    [InlineData("message")]
    [InlineData("response")]
    [InlineData("conversation")]
    public async Task OfDeletesRacingForOneObjectExactlyOneDeletesItAndTheOthersFindNothing(string kind)
    {
        await using var factory = await TestSupport.ServiceOnAsync("postgres");
        using var client = factory.Client($"usr_race_{kind}");
        var doomed = await CreateAsync(client, kind);
        var kept = await CreateAsync(client, kind);

        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, Racers).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            using var response = await client.DeleteAsync(doomed);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(racers);

        var winners = answers.Where(a => a.StatusCode == HttpStatusCode.OK).ToList();
        Assert.True(winners.Count == 1, string.Join("\n", answers.Select(a => $"{(int)a.StatusCode} {a.Body}")));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.NotFound, a.StatusCode));
        if (kind != "conversation")
        {
            Assert.True(JsonDocument.Parse(winners[0].Body).RootElement.GetProperty("deleted").GetBoolean());
        }
        using var gone = await client.GetAsync(doomed);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var stays = await client.GetAsync(kept);
        Assert.Equal(HttpStatusCode.OK, stays.StatusCode);
    }

    /// <summary>Makes one object of the kind and answers its path.</summary>
    private static async Task<string> CreateAsync(HttpClient client, string kind)
    {
        async Task<string> IdOf(string path, object body) =>
            (await (await client.PostAsJsonAsync(path, body)).JsonAsync()).GetProperty("id").GetString()!;

        switch (kind)
        {
            case "assistant":
                return $"/v1/assistants/{await client.CreateAssistantAsync()}";
            case "thread":
                return $"/v1/threads/{await IdOf("/v1/threads", new { messages = new[] { new { role = "user", content = "Hello" } } })}";
            case "message":
                var thread = await IdOf("/v1/threads", new { });
                return $"/v1/threads/{thread}/messages/{await IdOf($"/v1/threads/{thread}/messages", new { role = "user", content = "Hello" })}";
            case "response":
                return $"/v1/responses/{await IdOf("/v1/responses", new { model = "gpt-4o-mini", input = "Hello" })}";
            case "conversation":
                return $"/v1/conversations/{await IdOf("/v1/conversations", new { items = new[] { new { type = "message", role = "user", content = "Hi" } } })}";
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
