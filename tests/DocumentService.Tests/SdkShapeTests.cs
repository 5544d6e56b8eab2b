using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>
/// Optional fields the official openai npm package types as never null (`expires_at?: number`) are left out when the
/// service has nothing to put there, rather than written as null.
/// </summary>
public sealed class SdkShapeTests
{
    [Fact]
    public async Task AFileThatNeverExpiresHasNoExpiryAndNoStatusDetails()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_shape_file");

        var file = await (await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("notes.md", SampleFiles.Utf8("Lunch is at noon."), ("purpose", "assistants")))).OkJsonAsync();
        var listed = (await (await client.GetAsync(new Uri("/v1/files", UriKind.Relative))).OkJsonAsync()).GetProperty("data")[0];

        Assert.All(new[] { file, listed }, f =>
        {
            Assert.Equal("processed", f.GetProperty("status").GetString());
            Assert.False(f.TryGetProperty("expires_at", out _), f.GetRawText());
            Assert.False(f.TryGetProperty("status_details", out _), f.GetRawText());
        });
    }

    [Fact]
    public async Task AStoreWithoutAnExpiryPolicyHasNoExpiresAfterAndOneWithItShowsIt()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_shape_store");

        var forever = await (await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = "forever" })).OkJsonAsync();
        var weekly = await (await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative),
            new { name = "weekly", expires_after = new { anchor = "last_active_at", days = 7 } })).OkJsonAsync();

        Assert.False(forever.TryGetProperty("expires_after", out _), forever.GetRawText());
        Assert.Equal(JsonValueKind.Null, forever.GetProperty("expires_at").ValueKind);
        Assert.Equal(7, weekly.GetProperty("expires_after").GetProperty("days").GetInt32());
    }
}
