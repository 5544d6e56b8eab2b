using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// What a generated fuzz through the gateway (every route, every field of a valid body with each wrong type, range and
/// encoding; every query parameter; every path id; every method) found that the hand-picked cases had not.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class GeneratedInputTests(Platform platform)
{
    [Theory]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    [InlineData("%2E%2e")]
    public async Task ADotDotMessageIdDeletesNeitherTheMessageNorItsThread(string id)
    {
        var world = await HostileWorld.ForAsync(platform);
        var victim = world.Victim;
        var raw = new Uri(platform.Gateway, "/").AbsoluteUri + $"v1/threads/{victim.ThreadId}/messages/{id}";
        using var client = world.Client(victim);

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete,
            new Uri(raw, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true })));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_path", error.GetProperty("code").GetString());
        await world.AssertPlatformIntactAsync();
    }

    [Theory]
    [InlineData("/v1/assistants")]
    [InlineData("/api/keys")]
    [InlineData("/auth/me")]
    [InlineData("/api/chats")]
    public async Task HeadIsAnsweredLikeGetWithoutABody(string path)
    {
        var world = await HostileWorld.ForAsync(platform);
        using var client = world.Client(world.Attacker);

        using var get = await client.GetAsync(new Uri(path, UriKind.Relative));
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("PUT", "/v1/assistants", "This URL does not serve PUT; it serves GET, POST.")]
    [InlineData("PATCH", "/api/keys", "This URL does not serve PATCH; it serves GET, POST.")]
    [InlineData("GET", "/auth/login", "This URL does not serve GET; it serves POST.")]
    public async Task AMethodAUrlDoesNotServeIsA405ThatNamesWhatItServes(string method, string path, string message)
    {
        var world = await HostileWorld.ForAsync(platform);
        using var client = world.Client(world.Attacker);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));
        var root = await response.Content.ReadFromJsonAsync<JsonElement>();
        var text = root.TryGetProperty("error", out var error) ? error.GetProperty("message").GetString() : root.GetProperty("detail").GetString();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(message, text);
    }
}
