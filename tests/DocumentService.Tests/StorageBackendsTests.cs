using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using DocumentService.Services.Storage;
using DocumentService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DocumentService.Tests;

/// <summary>The real parts: blobs in S3 (moto_server) and metadata in PostgreSQL.</summary>
public sealed class StorageBackendsTests
{
    [Fact]
    public async Task BlobsLiveInS3AndReplaceAndDeleteLeaveNoObjectBehind()
    {
        var moto = await SharedServers.MotoAsync();
        var bucket = "docs-" + Guid.NewGuid().ToString("N")[..12];
        await using var host = await DocumentsHost.StartAsync(f => f
            .With("Documents:S3Bucket", bucket)
            .With("Documents:S3ServiceUrl", moto.Endpoint.ToString())
            .With("Documents:S3AccessKey", "testing")
            .With("Documents:S3SecretKey", "testing"));
        var assistant = host.NewAssistant("usr_s3");
        using var client = host.ClientFor("usr_s3");
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("testing", "testing"),
            new AmazonS3Config { ServiceURL = moto.Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var pdf = SampleFiles.Pdf("Badges are renewed every January.");

        var id = (await client.UploadOkAsync(assistant, "rag", "badges.pdf", pdf)).GetProperty("id").GetString();
        var afterUpload = await KeysAsync(s3, bucket);
        using var download = await client.GetAsync(new Uri($"/api/documents/{id}/content", UriKind.Relative));
        var downloaded = await download.Content.ReadAsByteArrayAsync();
        using var replace = await client.PutAsync(new Uri($"/api/documents/{id}", UriKind.Relative),
            DocumentsClient.Form("badges.txt", SampleFiles.Utf8("Badges are renewed every March.")));
        var afterReplace = await KeysAsync(s3, bucket);
        var hits = await client.SearchAsync(assistant, "when are badges renewed");
        using var delete = await client.DeleteAsync(new Uri($"/api/documents/{id}", UriKind.Relative));
        var afterDelete = await KeysAsync(s3, bucket);

        Assert.Single(afterUpload);
        Assert.Equal(pdf, downloaded);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        Assert.Single(afterReplace);
        Assert.NotEqual(afterUpload[0], afterReplace[0]);
        Assert.Contains("March", Assert.Single(hits.EnumerateArray()).GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty(afterDelete);
        Assert.Empty(host.BlobFiles());
    }

    [Fact]
    public async Task DeletedDocumentsAndFilesLeaveNoEmptyFolderOnDisk()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_folders");
        using var client = host.ClientFor("usr_folders");
        var document = (await client.UploadOkAsync(assistant, "rag", "a.md", SampleFiles.Utf8("Keys are at reception."))).GetProperty("id").GetString();
        using var uploaded = await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("b.md", SampleFiles.Utf8("Mail is sorted at ten."), ("purpose", "assistants")));
        var file = (await uploaded.OkJsonAsync()).GetProperty("id").GetString();
        var foldersBefore = Directory.GetDirectories(host.BlobDirectory).Length;

        using var deletedDocument = await client.DeleteAsync(new Uri($"/api/documents/{document}", UriKind.Relative));
        using var deletedFile = await client.DeleteAsync(new Uri($"/v1/files/{file}", UriKind.Relative));

        Assert.Equal(2, foldersBefore);
        Assert.Equal(HttpStatusCode.NoContent, deletedDocument.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deletedFile.StatusCode);
        Assert.Empty(Directory.GetFileSystemEntries(host.BlobDirectory));
    }

    [Fact]
    public async Task ABlobPutWhileItsFoldersLastBlobIsDeletedIsStoredAndAFolderOnlyGoesWhenEmpty()
    {
        await using var host = await DocumentsHost.StartAsync();
        var blobs = host.Factory.Services.GetRequiredService<IBlobStore>();
        const int Rounds = 500;

        // Each round deletes the folder's only blob while the next version is put beside it.
        await blobs.PutAsync("doc_churn/v0", [0], "application/octet-stream");
        for (var i = 0; i < Rounds; i++)
        {
            await Task.WhenAll(
                Task.Run(() => blobs.PutAsync($"doc_churn/v{i + 1}", [(byte)(i + 1)], "application/octet-stream")),
                Task.Run(() => blobs.DeleteAsync($"doc_churn/v{i}")));
        }
        var survivors = host.BlobFiles();
        await blobs.DeleteAsync($"doc_churn/v{Rounds}");
        // Deleting again, with the folder gone, is still no error.
        await blobs.DeleteAsync($"doc_churn/v{Rounds}");

        Assert.Equal(Path.Combine(host.BlobDirectory, "doc_churn", $"v{Rounds}"), Assert.Single(survivors));
        Assert.Empty(Directory.GetFileSystemEntries(host.BlobDirectory));
    }

    [Fact]
    public async Task DocumentsAndSearchWorkOnPostgreSql()
    {
        var postgres = await SharedServers.PostgresAsync();
        var connection = await postgres.CreateDatabaseAsync("docs");
        await using var host = await DocumentsHost.StartAsync(f => f.With("ConnectionStrings:docsdb", connection));
        var assistant = host.NewAssistant("usr_pg");
        using var client = host.ClientFor("usr_pg");

        var id = (await client.UploadOkAsync(assistant, "rag", "pg.md", SampleFiles.Utf8("# Desk booking\n\nDesks are booked in the app by 9 am."))).GetProperty("id").GetString();
        await client.UploadOkAsync(assistant, "prompt", "style.txt", SampleFiles.Utf8("Answer in one sentence."));
        var hits = await client.SearchAsync(assistant, "how are desks booked");
        var knowledge = await client.KnowledgeAsync(assistant);
        using var delete = await client.DeleteAsync(new Uri($"/api/documents/{id}", UriKind.Relative));
        var after = await client.SearchAsync(assistant, "how are desks booked");

        Assert.Contains("9 am", hits[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("2", knowledge.GetProperty("version").GetString());
        Assert.Equal("Answer in one sentence.", Assert.Single(knowledge.GetProperty("instructions").EnumerateArray()).GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty(after.EnumerateArray());
    }

    private static async Task<List<string>> KeysAsync(AmazonS3Client s3, string bucket)
    {
        var response = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).ToList();
    }
}
