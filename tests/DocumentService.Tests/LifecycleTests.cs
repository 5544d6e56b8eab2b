using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using DocumentService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Caching;

namespace DocumentService.Tests;

/// <summary>Replace, delete and download: search and knowledge never serve anything stale, and failures change nothing.</summary>
public sealed class LifecycleTests
{
    private static readonly byte[] FirstVersion = SampleFiles.Utf8("The shuttle bus leaves the north gate every 20 minutes.\n\nParking permits cost 30 euros a month.");
    private static readonly byte[] SecondVersion = SampleFiles.Utf8("The shuttle bus now leaves the south gate every 15 minutes.\n\nBicycle racks are free.");

    [Fact]
    public async Task DownloadReturnsTheOriginalBytesWithTheirTypeAndFilename()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_dl");
        using var client = host.ClientFor("usr_dl");
        var docx = SampleFiles.Docx("Quarterly numbers.");

        var document = await client.UploadOkAsync(assistant, "rag", "Report Q3 (final).docx", docx);
        using var download = await client.GetAsync(new Uri($"/api/documents/{document.GetProperty("id").GetString()}/content", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(docx, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Report Q3 (final).docx", download.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.StartsWith("doc_", document.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(docx.Length, document.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task ReplacingADocumentRemovesItsOldPassagesAndMovesTheKnowledgeVersion()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_rep");
        using var client = host.ClientFor("usr_rep");
        var id = (await client.UploadOkAsync(assistant, "rag", "transport.txt", FirstVersion)).GetProperty("id").GetString();
        var before = await client.KnowledgeAsync(assistant);
        Assert.Contains("north gate", (await client.SearchAsync(assistant, "where does the shuttle bus leave"))[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        using var replace = await client.PutAsync(new Uri($"/api/documents/{id}", UriKind.Relative), DocumentsClient.Form("transport-v2.txt", SecondVersion));
        var replaced = JsonDocument.Parse(await replace.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        Assert.Equal(2, replaced.GetProperty("version").GetInt32());
        Assert.Equal("transport-v2.txt", replaced.GetProperty("filename").GetString());
        var hits = await client.SearchAsync(assistant, "shuttle bus gate parking permits north");
        Assert.NotEmpty(hits.EnumerateArray());
        Assert.All(hits.EnumerateArray(), h => Assert.DoesNotContain("north gate", h.GetProperty("text").GetString(), StringComparison.Ordinal));
        Assert.All(hits.EnumerateArray(), h => Assert.DoesNotContain("Parking permits", h.GetProperty("text").GetString(), StringComparison.Ordinal));
        Assert.Contains("south gate", hits[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(before.GetProperty("version").GetString(), (await client.KnowledgeAsync(assistant)).GetProperty("version").GetString());
        using var download = await client.GetAsync(new Uri($"/api/documents/{id}/content", UriKind.Relative));
        Assert.Equal(SecondVersion, await download.Content.ReadAsByteArrayAsync());
        Assert.Single(host.BlobFiles());
    }

    [Fact]
    public async Task AFailedReplacementLeavesThePreviousVersionServing()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_fail");
        using var client = host.ClientFor("usr_fail");
        var id = (await client.UploadOkAsync(assistant, "rag", "transport.txt", FirstVersion)).GetProperty("id").GetString();
        var version = (await client.KnowledgeAsync(assistant)).GetProperty("version").GetString();

        using var replace = await client.PutAsync(new Uri($"/api/documents/{id}", UriKind.Relative),
            DocumentsClient.Form("transport.docx", [.. "PK\u0003\u0004"u8, .. new byte[64]]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, replace.StatusCode);
        Assert.Equal(version, (await client.KnowledgeAsync(assistant)).GetProperty("version").GetString());
        Assert.Contains("north gate", (await client.SearchAsync(assistant, "shuttle bus gate"))[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        using var download = await client.GetAsync(new Uri($"/api/documents/{id}/content", UriKind.Relative));
        Assert.Equal(FirstVersion, await download.Content.ReadAsByteArrayAsync());
        Assert.Single(host.BlobFiles());
    }

    [Fact]
    public async Task DeletingADocumentRemovesItFromSearchListingsKnowledgeAndStorage()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_del");
        using var client = host.ClientFor("usr_del");
        var rag = (await client.UploadOkAsync(assistant, "rag", "transport.txt", FirstVersion)).GetProperty("id").GetString();
        var prompt = (await client.UploadOkAsync(assistant, "prompt", "tone.md", SampleFiles.Utf8("Always answer politely."))).GetProperty("id").GetString();
        Assert.NotEmpty((await client.SearchAsync(assistant, "shuttle bus")).EnumerateArray());
        var version = (await client.KnowledgeAsync(assistant)).GetProperty("version").GetString();

        using var deleteRag = await client.DeleteAsync(new Uri($"/api/documents/{rag}", UriKind.Relative));
        using var deletePrompt = await client.DeleteAsync(new Uri($"/api/documents/{prompt}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleteRag.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deletePrompt.StatusCode);
        Assert.Empty((await client.SearchAsync(assistant, "shuttle bus north gate parking")).EnumerateArray());
        var knowledge = await client.KnowledgeAsync(assistant);
        Assert.Empty(knowledge.GetProperty("instructions").EnumerateArray());
        Assert.NotEqual(version, knowledge.GetProperty("version").GetString());
        Assert.Equal(0, (await client.ListAsync(assistant)).GetArrayLength());
        using var gone = await client.GetAsync(new Uri($"/api/documents/{rag}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty(host.BlobFiles());
    }

    [Fact]
    public async Task EveryChangeIsAnnouncedOnRedisWithTheNewVersion()
    {
        var redis = await SharedServers.RedisAsync();
        await using var host = await DocumentsHost.StartAsync(f => f.With("ConnectionStrings:cache", redis.ConnectionString));
        var assistant = host.NewAssistant("usr_bus");
        using var client = host.ClientFor("usr_bus");
        var messages = new ConcurrentQueue<string>();
        var bus = host.Factory.Services.GetRequiredService<IMessageBus>();
        Assert.IsType<RedisMessageBus>(bus);
        await using var subscription = await bus.SubscribeAsync("knowledge-changed", m =>
        {
            messages.Enqueue(m);
            return Task.CompletedTask;
        });

        var id = (await client.UploadOkAsync(assistant, "rag", "t.txt", FirstVersion)).GetProperty("id").GetString();
        using var _ = await client.PutAsync(new Uri($"/api/documents/{id}", UriKind.Relative), DocumentsClient.Form("t.txt", SecondVersion));
        using var __ = await client.DeleteAsync(new Uri($"/api/documents/{id}", UriKind.Relative));
        var final = (await client.KnowledgeAsync(assistant)).GetProperty("version").GetString();

        await Wait.UntilAsync(() => Task.FromResult(messages.Count >= 3), TimeSpan.FromSeconds(10), "three knowledge-changed messages");
        var parsed = messages.Select(m => JsonDocument.Parse(m).RootElement).ToList();
        Assert.All(parsed, m => Assert.Equal(assistant, m.GetProperty("assistant_id").GetString()));
        Assert.Equal(3, parsed.Select(m => m.GetProperty("version").GetString()).Distinct().Count());
        Assert.Equal(final, parsed[^1].GetProperty("version").GetString());
    }

    [Fact]
    public async Task ConcurrentUploadsToOneAssistantAllLandAndEachGetsItsOwnVersion()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_many");
        using var client = host.ClientFor("usr_many");

        var uploads = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            client.UploadOkAsync(assistant, "rag", $"note{i}.txt", SampleFiles.Utf8($"Note number {i} mentions the codeword alpha{i}."))));

        Assert.Equal(6, uploads.Select(u => u.GetProperty("knowledge_version").GetString()).Distinct().Count());
        Assert.Equal("6", (await client.KnowledgeAsync(assistant)).GetProperty("version").GetString());
        Assert.Equal(6, (await client.ListAsync(assistant)).GetArrayLength());
        Assert.Equal("note3.txt", (await client.SearchAsync(assistant, "codeword alpha3", 1))[0].GetProperty("filename").GetString());
    }
}
