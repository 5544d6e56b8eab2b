using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>
/// A vector store's update takes what OpenAI's takes (name, expires_after, metadata). The create's other fields are
/// refused by name, as OpenAI refuses them, rather than answered 200 as if the files or their chunking had changed.
/// </summary>
public sealed class VectorStoreUpdateTests
{
    [Theory]
    [InlineData("chunking_strategy", """{"type":"static","static":{"max_chunk_size_tokens":100,"chunk_overlap_tokens":10}}""")]
    [InlineData("file_ids", """["file_abc"]""")]
    [InlineData("description", "\"Answers about travel\"")]
    public async Task AFieldOnlyTheCreateTakesIsRefusedByNameAndTheStoreIsLeftAsItWas(string field, string value)
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_vs_update");
        using var created = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = "Handbook", metadata = new { team = "hr" } });
        var store = await created.OkJsonAsync();
        var id = store.GetProperty("id").GetString()!;

        using var response = await client.PostAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative),
            new StringContent($$"""{"name":"Renamed","metadata":{"team":"it"},"{{field}}":{{value}}}""", Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unknown_parameter", error.GetProperty("code").GetString());
        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.StartsWith($"Unknown parameter: '{field}'. A vector store's update takes name, expires_after and metadata only",
            error.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var after = await client.GetAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative));
        var kept = await after.OkJsonAsync();
        Assert.Equal("Handbook", kept.GetProperty("name").GetString());
        Assert.Equal("hr", kept.GetProperty("metadata").GetProperty("team").GetString());
        Assert.Equal(store.GetProperty("last_active_at").GetInt64(), kept.GetProperty("last_active_at").GetInt64());
    }

    [Fact]
    public async Task NameExpiryAndMetadataAreStillUpdated()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_vs_update_ok");
        using var created = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = "Handbook" });
        var id = (await created.OkJsonAsync()).GetProperty("id").GetString()!;

        using var response = await client.PostAsJsonAsync(new Uri($"/v1/vector_stores/{id}", UriKind.Relative),
            new { name = "Renamed", metadata = new { team = "it" }, expires_after = new { anchor = "last_active_at", days = 3 } });
        var updated = await response.OkJsonAsync();

        Assert.Equal("Renamed", updated.GetProperty("name").GetString());
        Assert.Equal("it", updated.GetProperty("metadata").GetProperty("team").GetString());
        Assert.Equal(3, updated.GetProperty("expires_after").GetProperty("days").GetInt32());
    }
}
