using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>POST /v1/vector_stores/{id}/search in OpenAI's shapes, over an assistant's own store (`vs_` + its id).</summary>
public sealed class VectorStoreSearchTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnAssistantsDocumentsAreSearchedAsItsVectorStore(string database)
    {
        var connection = database == "postgres" ? await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("vsa") : null;
        await using var host = await DocumentsHost.StartAsync(f =>
        {
            if (connection is not null)
            {
                f.With("ConnectionStrings:docsdb", connection);
            }
        });
        using var client = host.ClientFor("usr_vs_search");
        var assistant = host.NewAssistant("usr_vs_search");
        var document = await client.UploadOkAsync(assistant, "rag", "leave.md",
            SampleFiles.Utf8("# Leave\nEvery employee gets 25 vacation days a year. Unused days carry over until March."));
        await client.UploadOkAsync(assistant, "rag", "kitchen.md", SampleFiles.Utf8("# Kitchen\nThe coffee machine is cleaned on Fridays."));

        using var response = await client.PostAsJsonAsync(new Uri($"/v1/vector_stores/vs_{assistant}/search", UriKind.Relative),
            new { query = "How much paid time off do I get?", max_num_results = 1 });
        var body = await response.Content.ReadAsStringAsync();
        var store = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/v1/vector_stores/vs_{assistant}", UriKind.Relative))).RootElement;
        var files = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/v1/vector_stores/vs_{assistant}/files", UriKind.Relative))).RootElement;

        Assert.Equal(2, store.GetProperty("file_counts").GetProperty("completed").GetInt32());
        Assert.Equal(files.GetProperty("data").EnumerateArray().Sum(f => f.GetProperty("usage_bytes").GetInt64()), store.GetProperty("usage_bytes").GetInt64());
        Assert.True(store.GetProperty("usage_bytes").GetInt64() > 2 * 384 * 4);
        Assert.Equal(assistant, store.GetProperty("metadata").GetProperty("assistant_id").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal("vector_store.search_results.page", page.GetProperty("object").GetString());
        Assert.Equal("How much paid time off do I get?", Assert.Single(page.GetProperty("search_query").EnumerateArray()).GetString());
        var hit = Assert.Single(page.GetProperty("data").EnumerateArray());
        Assert.Equal(document.GetProperty("id").GetString(), hit.GetProperty("file_id").GetString());
        Assert.Equal("leave.md", hit.GetProperty("filename").GetString());
        Assert.Contains("25 vacation days", hit.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("text", hit.GetProperty("content")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task AnotherUsersAssistantStoreIsNotFound()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var stranger = host.ClientFor("usr_stranger");
        var assistant = host.NewAssistant("usr_owner");

        using var response = await stranger.PostAsJsonAsync(new Uri($"/v1/vector_stores/vs_{assistant}/search", UriKind.Relative), new { query = "anything" });
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }
}
