using System.Net;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>/v1/files speaks OpenAI's shapes: File objects, list envelopes, deletion objects and its error body.</summary>
public sealed class FilesApiTests
{
    private static Task<JsonElement> JsonAsync(HttpResponseMessage response) => response.OkJsonAsync();

    [Fact]
    public async Task AFileCanBeUploadedListedReadDownloadedAndDeleted()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_files");
        var bytes = SampleFiles.Utf8("{\"prompt\":\"hi\"}\n");

        var file = await JsonAsync(await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("batch.jsonl", bytes, ("purpose", "batch"))));
        var id = file.GetProperty("id").GetString()!;
        var list = await JsonAsync(await client.GetAsync(new Uri("/v1/files", UriKind.Relative)));
        var got = await JsonAsync(await client.GetAsync(new Uri($"/v1/files/{id}", UriKind.Relative)));
        using var content = await client.GetAsync(new Uri($"/v1/files/{id}/content", UriKind.Relative));
        var deleted = await JsonAsync(await client.DeleteAsync(new Uri($"/v1/files/{id}", UriKind.Relative)));
        using var after = await client.GetAsync(new Uri($"/v1/files/{id}", UriKind.Relative));

        Assert.StartsWith("file_", id, StringComparison.Ordinal);
        Assert.Equal("file", file.GetProperty("object").GetString());
        Assert.Equal(bytes.Length, file.GetProperty("bytes").GetInt64());
        Assert.Equal("batch.jsonl", file.GetProperty("filename").GetString());
        Assert.Equal("batch", file.GetProperty("purpose").GetString());
        Assert.True(file.GetProperty("created_at").GetInt64() > 1_700_000_000);
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Equal(id, Assert.Single(list.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(id, list.GetProperty("first_id").GetString());
        Assert.False(list.GetProperty("has_more").GetBoolean());
        Assert.Equal(file.GetRawText(), got.GetRawText());
        Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());
        Assert.Equal(id, deleted.GetProperty("id").GetString());
        Assert.Equal("file", deleted.GetProperty("object").GetString());
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Empty(host.BlobFiles());
    }

    [Fact]
    public async Task ListingPagesWithAfterAndLimitAndShowsOnlyTheCallersFiles()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_pages");
        using var other = host.ClientFor("usr_other");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var file = await JsonAsync(await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
                DocumentsClient.Form($"f{i}.txt", SampleFiles.Utf8($"file {i}"), ("purpose", "assistants"))));
            ids.Add(file.GetProperty("id").GetString()!);
        }
        await JsonAsync(await other.PostAsync(new Uri("/v1/files", UriKind.Relative), DocumentsClient.Form("x.txt", SampleFiles.Utf8("x"), ("purpose", "assistants"))));

        var first = await JsonAsync(await client.GetAsync(new Uri("/v1/files?limit=2&order=asc", UriKind.Relative)));
        var second = await JsonAsync(await client.GetAsync(new Uri($"/v1/files?limit=2&order=asc&after={first.GetProperty("last_id").GetString()}", UriKind.Relative)));
        using var stolen = await other.GetAsync(new Uri($"/v1/files/{ids[0]}/content", UriKind.Relative));

        var seen = first.GetProperty("data").EnumerateArray().Concat(second.GetProperty("data").EnumerateArray()).Select(f => f.GetProperty("id").GetString()).ToList();
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.False(second.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids.Order(), seen.Order());
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
    }

    [Fact]
    public async Task ErrorsComeInOpenAIsErrorBody()
    {
        await using var host = await DocumentsHost.StartAsync(f => f.With("Documents:MaxUploadBytes", "100"));
        using var client = host.ClientFor("usr_err");

        using var noPurpose = await client.PostAsync(new Uri("/v1/files", UriKind.Relative), DocumentsClient.Form("a.txt", SampleFiles.Utf8("a")));
        using var tooBig = await client.PostAsync(new Uri("/v1/files", UriKind.Relative), DocumentsClient.Form("a.txt", new byte[101], ("purpose", "assistants")));
        using var traversal = await client.PostAsync(new Uri("/v1/files", UriKind.Relative), DocumentsClient.Form("../a.txt", SampleFiles.Utf8("a"), ("purpose", "assistants")));
        using var missing = await client.GetAsync(new Uri("/v1/files/file_nope", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, noPurpose.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        foreach (var response in new[] { noPurpose, tooBig, traversal, missing })
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = body.RootElement.GetProperty("error");
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        }
        Assert.Empty(host.BlobFiles());
    }

    [Fact]
    public async Task AnUploadFarOverTheLimitIsReadToItsEndSoAProxyInFrontPassesThe413On()
    {
        await using var host = await DocumentsHost.StartAsync(f => f.With("Documents:MaxUploadBytes", "1000"));
        var address = host.Factory.StartOnKestrel();
        using var client = new HttpClient { BaseAddress = address }.ActAs("usr_huge");
        // Past Kestrel's own 30 MB body limit: refused by its length alone, the rest must still be taken in, or a
        // proxy still sending it (the gateway) sees a broken connection and answers 503, which SDKs retry.
        var sent = new CountingContent(40_000_000);
        using var form = new MultipartFormDataContent { { new StringContent("assistants"), "purpose" }, { sent, "file", "huge.txt" } };

        using var response = await client.PostAsync(new Uri("/v1/files", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("file_too_large", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(40_000_000, await sent.Written.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>A body of a known length that says how much of it went out before the connection ended.</summary>
    private sealed class CountingContent(long length) : HttpContent
    {
        public TaskCompletionSource<long> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'a');
            long written = 0;
            try
            {
                while (written < length)
                {
                    var size = (int)Math.Min(chunk.Length, length - written);
                    await stream.WriteAsync(chunk.AsMemory(0, size));
                    written += size;
                }
            }
            finally
            {
                Written.TrySetResult(written);
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }
    }
}
