using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>What a generated fuzz of every field of valid bodies found: a null among file ids was a 500.</summary>
public sealed class GeneratedInputTests
{
    [Theory]
    [InlineData("""{"file_ids":[null]}""")]
    [InlineData("""{"file_ids":["FILE",null]}""")]
    [InlineData("""{"file_ids":[""]}""")]
    public async Task AFileIdThatIsNullOrEmptyIsRefusedNamingFileIdsAndNoStoreIsMade(string body)
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_null_ids");
        using var upload = await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("notes.txt", SampleFiles.Utf8("Payday is the 25th."), ("purpose", "assistants")));
        var file = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using var response = await client.PostAsync(new Uri("/v1/vector_stores", UriKind.Relative),
            new StringContent(body.Replace("FILE", file, StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        var stores = await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/vector_stores", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("file_ids", error.GetProperty("param").GetString());
        Assert.Equal(0, stores.GetProperty("data").GetArrayLength());
    }
}
