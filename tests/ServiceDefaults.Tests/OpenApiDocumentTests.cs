using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace ServiceDefaults.Tests;

public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task TheOpenApiDocumentNamesNoServerSoItCarriesNoAddressItWasFetchedAt()
    {
        await using var host = await TestHost.StartAsync(map: app => app.MapGet("/v1/things", () => "thing"));
        using var client = host.CreateClient();

        var text = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = JsonDocument.Parse(text).RootElement;

        Assert.True(document.GetProperty("paths").TryGetProperty("/v1/things", out _));
        Assert.True(!document.TryGetProperty("servers", out var servers) || servers.GetArrayLength() == 0, text[..Math.Min(300, text.Length)]);
        Assert.DoesNotContain(host.Url.Authority, text, StringComparison.Ordinal);
    }
}
