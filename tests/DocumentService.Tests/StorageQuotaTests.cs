using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>Documents:MaxBytesPerUser keeps one user's files and documents together under a limit; other users are not affected.</summary>
public sealed class StorageQuotaTests
{
    private static byte[] Text(int bytes) =>
        SampleFiles.Utf8(string.Concat(Enumerable.Repeat("The office opens at nine. ", bytes / 26 + 1))[..bytes]);

    [Fact]
    public async Task AnUploadPastTheUsersStorageLimitIsRefusedWith403OnBothApisUntilSpaceIsFreedAndOtherUsersStillUpload()
    {
        await using var host = await DocumentsHost.StartAsync(f => f.With("Documents:MaxBytesPerUser", "1000"));
        var assistant = host.NewAssistant("usr_quota");
        using var client = host.ClientFor("usr_quota");
        using var other = host.ClientFor("usr_quota_other");
        var document = await client.UploadOkAsync(assistant, "rag", "hours.txt", Text(600));
        var documentId = document.GetProperty("id").GetString()!;

        using var file = await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("more.txt", Text(600), ("purpose", "assistants")));
        var fileError = await file.Content.ReadFromJsonAsync<JsonElement>();
        using var secondDocument = await client.UploadAsync(assistant, "rag", "more.txt", Text(600));
        var documentProblem = await secondDocument.Content.ReadFromJsonAsync<JsonElement>();
        using var theirs = await other.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("theirs.txt", Text(600), ("purpose", "assistants")));
        // A replacement counts only what it adds: 600 bytes become 900 within the 1,000.
        using var replaced = await client.PutAsync(new Uri($"/api/documents/{documentId}", UriKind.Relative),
            DocumentsClient.Form("hours.txt", Text(900)));
        using var deleted = await client.DeleteAsync(new Uri($"/api/documents/{documentId}", UriKind.Relative));
        using var fitsNow = await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("more.txt", Text(600), ("purpose", "assistants")));

        Assert.Equal(HttpStatusCode.Forbidden, file.StatusCode);
        Assert.Equal("storage_quota_exceeded", fileError.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, secondDocument.StatusCode);
        Assert.Equal("application/problem+json", secondDocument.Content.Headers.ContentType?.MediaType);
        Assert.Equal("storage_quota_exceeded", documentProblem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.True(deleted.IsSuccessStatusCode, $"{(int)deleted.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, fitsNow.StatusCode);
        // The refused uploads left nothing behind: the user's files are the one that fit.
        var files = await (await client.GetAsync(new Uri("/v1/files", UriKind.Relative))).OkJsonAsync();
        Assert.Equal(600, Assert.Single(files.GetProperty("data").EnumerateArray()).GetProperty("bytes").GetInt64());
    }
}
