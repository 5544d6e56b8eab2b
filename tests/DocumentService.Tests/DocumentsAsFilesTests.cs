using System.Net;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>
/// Citations and file_search results name an assistant's documents as files, so /v1/files reads them (by the rules of
/// /api/documents) while listing and deleting stay with /v1/files' own files.
/// </summary>
public sealed class DocumentsAsFilesTests
{
    private static readonly byte[] Handbook = SampleFiles.Utf8("# Leave\nEvery employee gets 25 vacation days a year.\n");

    [Fact]
    public async Task TheOwnerReadsADocumentThroughV1FilesAsAnAssistantsFileWithItsOriginalBytes()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_cites");
        using var owner = host.ClientFor("usr_cites");
        var document = await owner.UploadOkAsync(assistant, "rag", "leave.md", Handbook);
        var id = document.GetProperty("id").GetString()!;

        var file = await (await owner.GetAsync(new Uri($"/v1/files/{id}", UriKind.Relative))).OkJsonAsync();
        using var content = await owner.GetAsync(new Uri($"/v1/files/{id}/content", UriKind.Relative));
        var list = await (await owner.GetAsync(new Uri("/v1/files", UriKind.Relative))).OkJsonAsync();

        Assert.Equal(id, file.GetProperty("id").GetString());
        Assert.Equal("file", file.GetProperty("object").GetString());
        Assert.Equal("assistants", file.GetProperty("purpose").GetString());
        Assert.Equal("leave.md", file.GetProperty("filename").GetString());
        Assert.Equal(Handbook.Length, file.GetProperty("bytes").GetInt64());
        Assert.Equal(document.GetProperty("created_at").GetInt64(), file.GetProperty("created_at").GetInt64());
        Assert.Equal("processed", file.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(Handbook, await content.Content.ReadAsByteArrayAsync());
        Assert.Equal("leave.md", content.Content.Headers.ContentDisposition?.FileName);
        Assert.Empty(list.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task OnlyWhoMayReadTheDocumentReadsItThroughV1FilesAndEveryoneElseGetsTheUnknownFilesAnswer()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_doc_owner");
        var otherAssistant = host.NewAssistant("usr_doc_owner");
        using var owner = host.ClientFor("usr_doc_owner");
        var id = (await owner.UploadOkAsync(assistant, "rag", "leave.md", Handbook)).GetProperty("id").GetString()!;
        using var itsKey = host.ClientFor("usr_doc_owner", [assistant], "key_its");
        using var otherKey = host.ClientFor("usr_doc_owner", [otherAssistant], "key_other");
        using var stranger = host.ClientFor("usr_doc_stranger");

        using var byItsKey = await itsKey.GetAsync(new Uri($"/v1/files/{id}/content", UriKind.Relative));
        var refused = new List<HttpResponseMessage>();
        foreach (var client in new[] { otherKey, stranger })
        {
            refused.Add(await client.GetAsync(new Uri($"/v1/files/{id}", UriKind.Relative)));
            refused.Add(await client.GetAsync(new Uri($"/v1/files/{id}/content", UriKind.Relative)));
        }

        Assert.Equal(HttpStatusCode.OK, byItsKey.StatusCode);
        Assert.Equal(Handbook, await byItsKey.Content.ReadAsByteArrayAsync());
        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal($"No such File object: {id}", error.GetProperty("message").GetString());
            response.Dispose();
        }
    }

    [Fact]
    public async Task ADocumentIdOnDeleteV1FilesIsNotFoundAndTheDocumentStays()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_doc_delete");
        using var owner = host.ClientFor("usr_doc_delete");
        var id = (await owner.UploadOkAsync(assistant, "rag", "leave.md", Handbook)).GetProperty("id").GetString()!;

        using var delete = await owner.DeleteAsync(new Uri($"/v1/files/{id}", UriKind.Relative));
        using var asFile = await owner.GetAsync(new Uri($"/v1/files/{id}/content", UriKind.Relative));
        using var asDocument = await owner.GetAsync(new Uri($"/api/documents/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asFile.StatusCode);
        Assert.Equal(Handbook, await asFile.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, asDocument.StatusCode);
        Assert.Contains("25 vacation days", (await owner.SearchAsync(assistant, "vacation days"))[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
