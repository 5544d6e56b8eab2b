using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Tests;

public sealed class JsonNumbersTests
{
    private static readonly Action<WebApplication> Routes = app =>
        app.MapPost("/v1/sampling", (Sampling sampling) => TypedResults.Ok(sampling));

    public sealed record Sampling(double? Temperature);

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"-Infinity\"")]
    public async Task ANumberSpelledAsANamedFloatingPointLiteralIsABadRequestNamingTheField(string value)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(new Uri("/v1/sampling", UriKind.Relative),
            new StringContent($$"""{"temperature":{{value}}}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"param\":\"temperature\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANumberWrittenAsAStringIsStillRead()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(new Uri("/v1/sampling", UriKind.Relative),
            new StringContent("""{"temperature":"0.5"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"temperature":0.5}""", await response.Content.ReadAsStringAsync());
    }
}
