using System.Net;
using System.Net.Http.Json;
using DocumentService.Model;
using DocumentService.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DocumentService.Tests;

/// <summary>
/// A change that is still embedding when the thing it changes goes away: it is refused as if it came after, and
/// leaves nothing behind. The embeddings endpoint is held, so the other request lands exactly mid-embedding.
/// </summary>
public sealed class ConcurrentChangesTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AReplacementStillEmbeddingWhenItsDocumentIsDeletedIsA404AndLeavesNoBlob(string database)
    {
        await using var model = await HeldEmbeddings.StartAsync();
        await using var host = await StartAsync(database, model);
        var assistant = host.NewAssistant("usr_race_put");
        using var client = host.ClientFor("usr_race_put");
        var id = (await client.UploadOkAsync(assistant, "rag", "bus.md", SampleFiles.Utf8("The bus leaves at nine."))).GetProperty("id").GetString();

        var embedding = model.HoldNextAsync();
        var replacing = client.PutAsync(new Uri($"/api/documents/{id}", UriKind.Relative),
            DocumentsClient.Form("bus.md", SampleFiles.Utf8("The bus now leaves at ten."), ("type", "rag")));
        await embedding;
        using var deleted = await client.DeleteAsync(new Uri($"/api/documents/{id}", UriKind.Relative));
        model.Release();
        using var replaced = await replacing;

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, replaced.StatusCode);
        Assert.Empty(host.BlobFiles());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnUploadStillEmbeddingWhenItsAssistantIsDeletedIsRefusedAndLeavesNothing(string database)
    {
        await using var model = await HeldEmbeddings.StartAsync();
        await using var host = await StartAsync(database, model);
        var assistant = host.NewAssistant("usr_race_asst");
        using var client = host.ClientFor("usr_race_asst");
        await client.UploadOkAsync(assistant, "rag", "old.md", SampleFiles.Utf8("Lockers are on the second floor."));

        var embedding = model.HoldNextAsync();
        var uploading = client.UploadAsync(assistant, "rag", "late.md", SampleFiles.Utf8("The canteen opens at noon."));
        await embedding;
        using var deleted = await client.DeleteAsync(new Uri($"/api/assistants/{assistant}/documents", UriKind.Relative));
        model.Release();
        using var uploaded = await uploading;

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, uploaded.StatusCode);
        Assert.Contains("assistant_not_found", await uploaded.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await client.ListAsync(assistant)).GetArrayLength());
        Assert.Empty(host.BlobFiles());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnAttachStillEmbeddingWhenItsFileIsDeletedIsA404AndLeavesTheStoreWithoutIt(string database)
    {
        await using var model = await HeldEmbeddings.StartAsync();
        await using var host = await StartAsync(database, model);
        using var client = host.ClientFor("usr_race_attach");
        var (file, store) = await FileAndStoreAsync(client, "menu.md", "Soup is served on Fridays.");

        var embedding = model.HoldNextAsync();
        var attaching = client.PostAsJsonAsync(new Uri($"/v1/vector_stores/{store}/files", UriKind.Relative), new { file_id = file });
        await embedding;
        using var deleted = await client.DeleteAsync(new Uri($"/v1/files/{file}", UriKind.Relative));
        model.Release();
        using var attached = await attaching;
        using var members = await client.GetAsync(new Uri($"/v1/vector_stores/{store}/files", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, attached.StatusCode);
        Assert.Equal(0, (await members.OkJsonAsync()).GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnAttachStillEmbeddingWhenItsStoreIsDeletedIsA404AndLeavesNothingOfTheStore(string database)
    {
        await using var model = await HeldEmbeddings.StartAsync();
        await using var host = await StartAsync(database, model);
        using var client = host.ClientFor("usr_race_store");
        var (file, store) = await FileAndStoreAsync(client, "rota.md", "The rota changes on Mondays.");

        var embedding = model.HoldNextAsync();
        var attaching = client.PostAsJsonAsync(new Uri($"/v1/vector_stores/{store}/files", UriKind.Relative), new { file_id = file });
        await embedding;
        using var deleted = await client.DeleteAsync(new Uri($"/v1/vector_stores/{store}", UriKind.Relative));
        model.Release();
        using var attached = await attaching;

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, attached.StatusCode);
        using var scope = host.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DocumentsDbContext>();
        Assert.Equal(0, await db.VectorStoreFiles.CountAsync(f => f.StoreKey == store));
        Assert.Equal(0, await db.Chunks.CountAsync(c => c.AssistantId == store));
        Assert.Equal(0, await db.KnowledgeStates.CountAsync(k => k.AssistantId == store));
    }

    /// <summary>A /v1/files file with this text and an empty vector store, both new.</summary>
    private static async Task<(string File, string Store)> FileAndStoreAsync(HttpClient client, string filename, string text)
    {
        using var uploaded = await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form(filename, SampleFiles.Utf8(text), ("purpose", "assistants")));
        using var created = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = filename });
        return ((await uploaded.OkJsonAsync()).GetProperty("id").GetString()!, (await created.OkJsonAsync()).GetProperty("id").GetString()!);
    }

    /// <summary>The document service on a database of the given kind, embedding through <paramref name="model"/>.</summary>
    private static async Task<DocumentsHost> StartAsync(string database, HeldEmbeddings model)
    {
        var postgres = database == "postgres" ? await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("concurrent") : null;
        return await DocumentsHost.StartAsync(f =>
        {
            f.With("ConnectionStrings:embeddings", model.ConnectionString);
            if (postgres is not null)
            {
                f.With("ConnectionStrings:docsdb", postgres);
            }
        });
    }
}
