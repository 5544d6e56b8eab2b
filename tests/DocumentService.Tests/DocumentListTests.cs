using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>/api/documents is a list like every other: paged with limit, order, after and before, refused as /api/chats refuses.</summary>
public sealed class DocumentListTests
{
    [Fact]
    public async Task TheDocumentsOfAnAssistantArePagedNewestFirstAndEveryOneIsReachedOnce()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_doc_pages");
        using var client = host.ClientFor("usr_doc_pages");
        var uploaded = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            uploaded.Add((await client.UploadOkAsync(assistant, "rag", $"note{i}.md", SampleFiles.Utf8($"Note number {i}."))).GetProperty("id").GetString()!);
        }
        Task<HttpResponseMessage> Get(string path) => client.GetAsync(new Uri(path, UriKind.Relative));
        var list = $"/api/documents?assistant_id={assistant}";

        var newestFirst = await NativeLists.WalkAsync(Get, list, limit: 2, order: "desc");
        var oldestFirst = await NativeLists.WalkAsync(Get, list, limit: 2, order: "asc");
        var (firstTwo, more) = await NativeLists.PageAsync(Get, list + "&limit=2");
        var (beforeThird, _) = await NativeLists.PageAsync(Get, $"{list}&limit=2&before={newestFirst[2]}");

        Assert.Equal(Enumerable.Reverse(uploaded), newestFirst);
        Assert.Equal(uploaded, oldestFirst);
        Assert.Equal(newestFirst[..2], firstTwo);
        Assert.True(more);
        Assert.Equal(newestFirst[..2], beforeThird);
    }

    [Fact]
    public async Task BadPagingIsRefusedAsTheChatListRefusesItAndOneHundredIsTheLargestPage()
    {
        await using var host = await DocumentsHost.StartAsync();
        var mine = host.NewAssistant("usr_doc_bad_paging");
        var theirs = host.NewAssistant("usr_doc_bad_paging_other");
        using var client = host.ClientFor("usr_doc_bad_paging");
        using var other = host.ClientFor("usr_doc_bad_paging_other");
        await client.UploadOkAsync(mine, "rag", "mine.md", SampleFiles.Utf8("Mine."));
        var foreign = (await other.UploadOkAsync(theirs, "rag", "theirs.md", SampleFiles.Utf8("Theirs."))).GetProperty("id").GetString()!;
        Task<HttpResponseMessage> Get(string path) => client.GetAsync(new Uri(path, UriKind.Relative));

        await NativeLists.AssertRefusesBadPagingAsync(Get, "/api/documents", foreign);
        await NativeLists.AssertRefusesBadPagingAsync(Get, $"/api/documents?assistant_id={mine}", foreign);
        Assert.Single((await NativeLists.PageAsync(Get, "/api/documents?limit=100")).Ids);
    }
}
