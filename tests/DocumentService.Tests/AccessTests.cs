using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>Documents belong to the assistant's owner; everybody else sees 404, and nobody without an identity gets in.</summary>
public sealed class AccessTests
{
    [Fact]
    public async Task AnotherUsersDocumentsAreNotFoundByIdByListOrBySearch()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_owner");
        using var owner = host.ClientFor("usr_owner");
        using var stranger = host.ClientFor("usr_stranger");
        var id = (await owner.UploadOkAsync(assistant, "rag", "secret.txt", SampleFiles.Utf8("The vault code is 4711."))).GetProperty("id").GetString();

        using var get = await stranger.GetAsync(new Uri($"/api/documents/{id}", UriKind.Relative));
        using var download = await stranger.GetAsync(new Uri($"/api/documents/{id}/content", UriKind.Relative));
        using var delete = await stranger.DeleteAsync(new Uri($"/api/documents/{id}", UriKind.Relative));
        using var list = await stranger.GetAsync(new Uri($"/api/documents?assistant_id={assistant}", UriKind.Relative));
        using var search = await stranger.PostAsJsonAsync(new Uri("/api/documents/search", UriKind.Relative), new { assistant_id = assistant, query = "vault code" });
        using var knowledge = await stranger.GetAsync(new Uri($"/api/assistants/{assistant}/knowledge", UriKind.Relative));
        using var upload = await stranger.UploadAsync(assistant, "rag", "x.txt", SampleFiles.Utf8("planted"));

        Assert.All([get, download, delete, list, search, knowledge, upload], r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Single((await owner.ListAsync(assistant)).EnumerateArray());
        Assert.Contains("4711", (await owner.SearchAsync(assistant, "vault code"))[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApiKeyReachesOnlyTheAssistantsItIsScopedTo()
    {
        await using var host = await DocumentsHost.StartAsync();
        var allowed = host.NewAssistant("usr_keys");
        var other = host.NewAssistant("usr_keys");
        using var owner = host.ClientFor("usr_keys");
        var otherDoc = (await owner.UploadOkAsync(other, "rag", "o.txt", SampleFiles.Utf8("Other assistant knowledge."))).GetProperty("id").GetString();
        await owner.UploadOkAsync(allowed, "rag", "a.txt", SampleFiles.Utf8("Allowed assistant knowledge."));
        using var key = host.ClientFor("usr_keys", [allowed], "key_1");

        using var otherGet = await key.GetAsync(new Uri($"/api/documents/{otherDoc}", UriKind.Relative));
        using var otherSearch = await key.PostAsJsonAsync(new Uri("/api/documents/search", UriKind.Relative), new { assistant_id = other, query = "knowledge" });
        using var otherUpload = await key.UploadAsync(other, "rag", "k.txt", SampleFiles.Utf8("Sneaked in."));

        // A document of another assistant is not there for the key; an assistant the key names outside its scope is
        // refused as the gateway refuses it in a path, a query or a JSON body, and a multipart form too.
        Assert.Equal(HttpStatusCode.NotFound, otherGet.StatusCode);
        foreach (var refused in new[] { otherSearch, otherUpload })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("assistant_not_allowed", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        Assert.Equal(1, (await owner.ListAsync(other)).GetArrayLength());
        Assert.Equal("a.txt", (await key.SearchAsync(allowed, "knowledge"))[0].GetProperty("filename").GetString());
    }

    [Fact]
    public async Task ARequestWithoutAVouchedCallerIsUnauthorized()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var anonymous = host.Factory.CreateClient();

        using var list = await anonymous.GetAsync(new Uri("/api/documents", UriKind.Relative));
        using var files = await anonymous.GetAsync(new Uri("/v1/files", UriKind.Relative));
        using var search = await anonymous.PostAsJsonAsync(new Uri("/api/documents/search", UriKind.Relative), new { assistant_id = "asst_x", query = "q" });

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, files.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, search.StatusCode);
    }

    [Fact]
    public async Task TheOwnershipCheckCarriesTheCallerToChatService()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_prop");
        using var client = host.ClientFor("usr_prop");

        await client.KnowledgeAsync(assistant);

        var check = Assert.Single(host.Chat.Requests);
        Assert.Equal("GET", check.Method);
        Assert.Equal($"/v1/assistants/{assistant}", check.PathAndQuery);
        Assert.True(check.Headers.ContainsKey("X-Caller-Identity"));
    }

    [Fact]
    public async Task SearchRejectsAMissingQueryAndAnOutOfRangeTopK()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_val");
        using var client = host.ClientFor("usr_val");

        using var noQuery = await client.PostAsJsonAsync(new Uri("/api/documents/search", UriKind.Relative), new { assistant_id = assistant });
        using var badTopK = await client.PostAsJsonAsync(new Uri("/api/documents/search", UriKind.Relative), new { assistant_id = assistant, query = "q", top_k = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, noQuery.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badTopK.StatusCode);
        Assert.Contains("top_k", await badTopK.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAssistantIdThatCannotExistIsNotFoundRatherThanAnError()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_long");

        using var upload = await client.UploadAsync(new string('a', 300), "rag", "a.txt", SampleFiles.Utf8("text"));
        using var search = await client.PostAsJsonAsync(new Uri("/api/documents/search", UriKind.Relative), new { assistant_id = new string('b', 300), query = "q" });

        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, search.StatusCode);
        Assert.Empty(host.Chat.Requests);
    }
}
