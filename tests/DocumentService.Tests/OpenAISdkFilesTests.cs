using System.ClientModel;
using System.ClientModel.Primitives;
using DocumentService.Tests.Support;
using OpenAI;
using OpenAI.Files;

namespace DocumentService.Tests;

/// <summary>The official OpenAI SDK's file client works against /v1/files with only the endpoint changed.</summary>
public sealed class OpenAISdkFilesTests
{
    private static OpenAIFileClient SdkClient(HttpClient http) =>
        new(new ApiKeyCredential("sk-unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(http),
        });

    [Fact]
    public async Task TheOfficialSdkUploadsListsReadsDownloadsAndDeletesAFile()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var http = host.ClientFor("usr_sdk");
        var files = SdkClient(http);
        var bytes = SampleFiles.Utf8("Office hours are 9 to 5.");

        OpenAIFile uploaded = await files.UploadFileAsync(new BinaryData(bytes), "hours.txt", FileUploadPurpose.Assistants);
        OpenAIFile fetched = await files.GetFileAsync(uploaded.Id);
        OpenAIFileCollection listed = await files.GetFilesAsync();
        BinaryData downloaded = await files.DownloadFileAsync(uploaded.Id);
        FileDeletionResult deleted = await files.DeleteFileAsync(uploaded.Id);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => files.GetFileAsync(uploaded.Id));

        Assert.StartsWith("file_", uploaded.Id, StringComparison.Ordinal);
        Assert.Equal("hours.txt", fetched.Filename);
        Assert.Equal(bytes.Length, fetched.SizeInBytes);
        Assert.Equal(FilePurpose.Assistants, fetched.Purpose);
        Assert.Equal(uploaded.Id, Assert.Single(listed).Id);
        Assert.Equal(bytes, downloaded.ToArray());
        Assert.True(deleted.Deleted);
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task TheOfficialSdkRetrievesAndDownloadsTheDocumentACitationNames()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_sdk_cite");
        using var http = host.ClientFor("usr_sdk_cite");
        var bytes = SampleFiles.Utf8("Office hours are 9 to 5.");
        var citedId = (await http.UploadOkAsync(assistant, "rag", "hours.txt", bytes)).GetProperty("id").GetString()!;
        var files = SdkClient(http);

        OpenAIFile cited = await files.GetFileAsync(citedId);
        BinaryData downloaded = await files.DownloadFileAsync(citedId);

        Assert.Equal("hours.txt", cited.Filename);
        Assert.Equal(bytes.Length, cited.SizeInBytes);
        Assert.Equal(FilePurpose.Assistants, cited.Purpose);
        Assert.Equal(bytes, downloaded.ToArray());
    }
}
