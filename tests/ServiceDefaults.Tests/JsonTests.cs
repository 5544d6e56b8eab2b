using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Tests;

public sealed class JsonTests
{
    [Fact]
    public async Task TextInOtherScriptsTravelsAsItselfWhileMarkupStaysEscaped()
    {
        await using var host = await TestHost.StartAsync(map: app =>
            app.MapGet("/v1/echo", () => TypedResults.Ok(new { ReplyText = "Café, 日本語, Ελληνικά <b>" })));
        using var client = host.CreateClient();

        var body = await client.GetStringAsync(new Uri("/v1/echo", UriKind.Relative));

        Assert.Contains("\"reply_text\":\"Café, 日本語, Ελληνικά \\u003Cb\\u003E\"", body, StringComparison.Ordinal);
    }
}
