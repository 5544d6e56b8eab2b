using System.Net;
using System.Text.Json;

namespace DocumentService.Tests;

public sealed class OpenApiTests
{
    [Fact]
    public async Task TheOpenApiDocumentListsTheDocumentFileAndKnowledgeRoutes()
    {
        await using var factory = new ServiceFactory<Program>().WithSqlite("docsdb");
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/documents", paths);
        Assert.Contains("/api/documents/{id}/content", paths);
        Assert.Contains("/api/documents/search", paths);
        Assert.Contains("/api/assistants/{assistant_id}/knowledge", paths);
        Assert.Contains("/v1/files", paths);
        Assert.Contains("/v1/files/{file_id}/content", paths);
    }
}
