using System.Net;
using System.Text.Json;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// An address or headers too large once got Kestrel's own 414/431 with an empty body: no OpenAI error for an SDK to
/// raise, no problem for a native client to show. The gateway now answers them in the route's family.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OversizedRequestTests(Platform platform)
{
    [Theory]
    [InlineData("/v1/assistants", 9_000)]
    [InlineData("/v1/assistants", 40_000)]
    [InlineData("/api/documents", 9_000)]
    public async Task AnAddressTooLongIsA414InTheRoutesErrorShape(string path, int length)
    {
        var (client, _) = await platform.NewUserAsync("long-address");

        using var response = await client.GetAsync(new Uri($"{path}?after={new string('a', length)}", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        Assert.Equal("uri_too_long", CodeOf(path, body));
    }

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/api/chats")]
    public async Task HeadersTooLargeAreA431InTheRoutesErrorShape(string path)
    {
        var (client, _) = await platform.NewUserAsync("big-headers");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Note", new string('b', 40_000));

        using var response = await client.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal("headers_too_large", CodeOf(path, body));
    }

    [Fact]
    public async Task AnAddressAndHeadersWithinTheLimitsAreStillServed()
    {
        var (client, _) = await platform.NewUserAsync("near-limits");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/assistants?order=desc&x={new string('c', 7_000)}");
        request.Headers.Add("X-Note", new string('d', 25_000));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string? CodeOf(string path, JsonElement body) =>
        path.StartsWith("/v1", StringComparison.Ordinal)
            ? body.GetProperty("error").GetProperty("code").GetString()
            : body.GetProperty("code").GetString();
}
