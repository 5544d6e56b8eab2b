using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Tests;

public sealed class MethodsTests
{
    private static readonly Action<WebApplication> Routes = app =>
    {
        app.MapGet("/v1/things/{id}", (string id) => TypedResults.Ok(new { id }));
        app.MapDelete("/v1/things/{id}", (string id) => TypedResults.Ok(new { id, deleted = true }));
        app.MapDelete("/v1/things/{id}/parts/{part}", (string id, string part) => TypedResults.Ok(new { part, deleted = true }));
        app.MapGet("/api/things/{id}", (string id) => TypedResults.Ok(new { id }));
        app.MapPost("/api/things", () => TypedResults.Ok());
        app.MapPost("/v1/things", () => TypedResults.Ok());
    };

    [Theory]
    [InlineData("/v1/things", "PUT", "This URL does not serve PUT; it serves POST.")]
    [InlineData("/api/things", "DELETE", "This URL does not serve DELETE; it serves POST.")]
    [InlineData("/api/things", "HEAD", "This URL does not serve HEAD; it serves POST.")]
    public async Task AMethodTheUrlDoesNotServeIsA405NamingTheMethodsItServes(string path, string method, string message)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(", ", response.Content.Headers.Allow));
        if (method != "HEAD")
        {
            Assert.Equal(message, Message(await response.Content.ReadAsStringAsync()));
        }
    }

    [Theory]
    [InlineData("/v1/things/a")]
    [InlineData("/api/things/a")]
    public async Task HeadIsServedWhereverGetIsWithGetsHeadersAndNoBody(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        using var client = host.CreateClient();

        using var get = await client.GetAsync(new Uri(path, UriKind.Relative));
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/api/nothing-here", "Unknown request URL: GET /api/nothing-here.")]
    [InlineData("/v1/nothing-here", "Unknown request URL: GET /v1/nothing-here.")]
    [InlineData("/models", "Unknown request URL: GET /models. The OpenAI-compatible API is served under /v1: end the client's base URL with /v1.")]
    [InlineData("/chat/completions", "Unknown request URL: GET /chat/completions. The OpenAI-compatible API is served under /v1: end the client's base URL with /v1.")]
    public async Task AUrlNoRouteServesIsA404SayingSoInEitherFamily(string path, string message)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(message, Message(await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("/v1/things/a/parts/..")]
    [InlineData("/v1/things/a/parts/%2e%2e")]
    [InlineData("/v1/things/a/parts/%2E.")]
    [InlineData("/v1/things/a/./parts/b")]
    public async Task APathWithADotSegmentIsRefusedNotResolvedToAnotherObject(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        var raw = new Uri(host.Url + path.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

        using var response = await host.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Delete, raw));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_path", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/v1/things/a.b")]
    [InlineData("/v1/things/...")]
    [InlineData("/v1/things/a?after=..")]
    public async Task DotsInsideASegmentOrTheQueryAreOrdinaryText(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string? Message(string body)
    {
        var root = JsonDocument.Parse(body).RootElement;
        return root.TryGetProperty("error", out var error) ? error.GetProperty("message").GetString() : root.GetProperty("detail").GetString();
    }
}
