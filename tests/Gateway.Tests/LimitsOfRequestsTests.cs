using System.Net;
using System.Net.Http.Headers;

namespace Gateway.Tests;

public sealed class LimitsOfRequestsTests
{
    [Fact]
    public async Task TextRoutesRefuseABodyThatUploadRoutesAccept()
    {
        await using var backends = await Backends.StartAsync();
        // Body size limits are the server's to enforce, so this gateway runs on real Kestrel, not the test server.
        var factory = GatewayHost.StartLazy(backends.Addresses);
        factory.StartOnKestrel();
        await using var gateway = new GatewayHost(factory);
        var session = await gateway.SignUpAsync();
        var twoMegabytes = new byte[2 * 1024 * 1024];

        async Task<HttpStatusCode> PostAsync(string path)
        {
            using var request = GatewayHost.Request(HttpMethod.Post, path, session.AccessToken);
            request.Content = new ByteArrayContent(twoMegabytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await gateway.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync("/api/ask"));
        Assert.Equal(HttpStatusCode.OK, await PostAsync("/v1/files"));
        Assert.Equal(HttpStatusCode.OK, await PostAsync("/v1/audio/transcriptions"));
    }

    [Fact]
    public async Task ConfiguredOriginsGetCorsAnswersAndOthersDoNot()
    {
        await using var backends = await Backends.StartAsync();
        await using var gateway = GatewayHost.Start(backends.Addresses, new Dictionary<string, string>
        {
            ["Cors:AllowedOrigins:0"] = "https://app.example.com",
        });

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            return await gateway.Client.SendAsync(request);
        }

        using var allowed = await PreflightAsync("https://app.example.com");
        using var other = await PreflightAsync("https://evil.example.net");

        Assert.Equal(["https://app.example.com"], allowed.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Empty(backends.Seen("chat-service"));
    }
}
