using System.Net.Http.Json;

namespace VoiceService.Tests;

/// <summary>/api/voice/turns is a list like every other: paged with limit, order, after and before, refused as /api/chats refuses.</summary>
public sealed class TurnListTests
{
    [Fact]
    public async Task TurnsArePagedNewestFirstAndEveryKeptTurnIsReachedOnce()
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var client = host.CreateClient("usr_turn_pages");
        var spoken = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            spoken.Add(await SpeakAsync(client, $"Turn number {i}."));
        }
        Task<HttpResponseMessage> Get(string path) => client.GetAsync(new Uri(path, UriKind.Relative));

        var newestFirst = await NativeLists.WalkAsync(Get, "/api/voice/turns", limit: 2, order: "desc");
        var oldestFirst = await NativeLists.WalkAsync(Get, "/api/voice/turns", limit: 2, order: "asc");
        var (beforeThird, _) = await NativeLists.PageAsync(Get, $"/api/voice/turns?limit=2&before={newestFirst[2]}");

        Assert.Equal(Enumerable.Reverse(spoken), newestFirst);
        Assert.Equal(spoken, oldestFirst);
        Assert.Equal(newestFirst[..2], beforeThird);
    }

    [Fact]
    public async Task BadPagingIsRefusedAsTheChatListRefusesIt()
    {
        await using var host = await VoiceHost.StartAsync("unused", TimeSpan.Zero);
        using var client = host.CreateClient("usr_turn_bad_paging");
        using var other = host.CreateClient("usr_turn_bad_paging_other");
        await SpeakAsync(client, "Mine.");
        var foreign = await SpeakAsync(other, "Theirs.");

        await NativeLists.AssertRefusesBadPagingAsync(path => client.GetAsync(new Uri(path, UriKind.Relative)), "/api/voice/turns", foreign);
    }

    /// <summary>Speaks <paramref name="text"/>; returns the turn's id once the turn is listed.</summary>
    private static async Task<string> SpeakAsync(HttpClient client, string text)
    {
        using var response = await client.PostAsJsonAsync(new Uri("/api/voice/speak", UriKind.Relative), new { text, response_format = "wav" });
        var done = (await SseEvent.ReadAllAsync(response))[^1];
        Assert.Equal("done", done.Name);
        var id = done.Data.GetProperty("turn_id").GetString()!;
        await Wait.UntilAsync(async () => (await client.GetStringAsync(new Uri("/api/voice/turns?limit=100", UriKind.Relative))).Contains(id, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), $"turn {id} to be listed");
        return id;
    }
}
