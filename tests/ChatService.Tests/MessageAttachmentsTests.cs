using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>
/// Message attachments as the Assistants SDKs send them (`client.beta.threads.messages.create(..., attachments=[...])`):
/// file_search files go into the thread's vector store, made through document-service on the first one.
/// </summary>
public sealed class MessageAttachmentsTests
{
    private const string MadeStore = "vs_thread_store";

    /// <summary>document-service's vector store routes as the attachments use them; "file_missing" is no file of the caller's.</summary>
    private static Task<ScriptedHttpServer> DocumentsAsync() => ScriptedHttpServer.StartAsync(async context =>
    {
        var path = context.Request.Path.Value!;
        var text = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var body = text.Length > 0 ? JsonNode.Parse(text) : null;
        if (body?["file_ids"]?.AsArray().Any(f => f!.GetValue<string>() == "file_missing") == true)
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "No such File object: file_missing", type = "invalid_request_error", param = (string?)null, code = "not_found" } });
            return;
        }
        await context.Response.WriteAsJsonAsync(path switch
        {
            "/v1/vector_stores" => (object)new { id = MadeStore, @object = "vector_store" },
            _ when path.EndsWith("/file_batches", StringComparison.Ordinal) => new { id = "vsfb_1", @object = "vector_store.files_batch" },
            _ => new { id = path.Split('/')[3], @object = "vector_store" },
        });
    });

    private static async Task<JsonElement> NewThreadAsync(HttpClient client, object body) =>
        await (await client.PostAsJsonAsync("/v1/threads", body)).JsonAsync();

    [Fact]
    public async Task AFileSearchAttachmentGoesIntoAVectorStoreMadeForTheThreadAndLaterOnesJoinIt()
    {
        await using var documents = await DocumentsAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_attach");
        var threadId = (await NewThreadAsync(client, new { })).GetProperty("id").GetString()!;

        using var first = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new
        {
            role = "user",
            content = "What does the handbook say?",
            attachments = new[] { new { file_id = "file_handbook", tools = new[] { new { type = "file_search" } } } },
        });
        using var second = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new
        {
            role = "user",
            content = "And this one?",
            attachments = new object[]
            {
                new { file_id = "file_faq", tools = new[] { new { type = "file_search" }, new { type = "code_interpreter" } } },
                new { file_id = "file_sheet", tools = new[] { new { type = "code_interpreter" } } },
            },
        });
        var thread = await (await client.GetAsync($"/v1/threads/{threadId}")).JsonAsync();
        var listed = await (await client.GetAsync($"/v1/threads/{threadId}/messages?order=asc")).JsonAsync();

        var message = await first.JsonAsync();
        Assert.Equal("file_handbook", message.GetProperty("attachments")[0].GetProperty("file_id").GetString());
        Assert.Equal("file_search", message.GetProperty("attachments")[0].GetProperty("tools")[0].GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal([MadeStore], thread.GetProperty("tool_resources").GetProperty("file_search").GetProperty("vector_store_ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(2, listed.GetProperty("data")[1].GetProperty("attachments").GetArrayLength());
        var made = Assert.Single(documents.Requests, r => r.PathAndQuery == "/v1/vector_stores");
        Assert.Equal(["file_handbook"], JsonNode.Parse(made.Body)!["file_ids"]!.AsArray().Select(f => f!.GetValue<string>()));
        var joined = Assert.Single(documents.Requests, r => r.PathAndQuery == $"/v1/vector_stores/{MadeStore}/file_batches");
        Assert.Equal(["file_faq"], JsonNode.Parse(joined.Body)!["file_ids"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task AThreadsFirstMessagesAttachmentsJoinTheStoreItWasGiven()
    {
        await using var documents = await DocumentsAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_attach_given");

        var thread = await NewThreadAsync(client, new
        {
            tool_resources = new { file_search = new { vector_store_ids = new[] { "vs_team" } } },
            messages = new[] { new { role = "user", content = "hi", attachments = new[] { new { file_id = "file_a", tools = new[] { new { type = "file_search" } } } } } },
        });

        Assert.Equal(["vs_team"], thread.GetProperty("tool_resources").GetProperty("file_search").GetProperty("vector_store_ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Contains(documents.Requests, r => r.PathAndQuery == "/v1/vector_stores/vs_team/file_batches");
        Assert.DoesNotContain(documents.Requests, r => r.PathAndQuery == "/v1/vector_stores");
    }

    [Fact]
    public async Task AnAttachmentOfAnUnknownFileOrOfAnUnknownToolIsRefusedAndNoMessageIsKept()
    {
        await using var documents = await DocumentsAsync();
        await using var factory = TestSupport.Service().WithDocuments(documents);
        using var client = factory.Client("usr_attach_bad");
        var threadId = (await NewThreadAsync(client, new { })).GetProperty("id").GetString()!;

        using var missing = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new
        {
            role = "user", content = "x", attachments = new[] { new { file_id = "file_missing", tools = new[] { new { type = "file_search" } } } },
        });
        using var badTool = await client.PostAsJsonAsync($"/v1/threads/{threadId}/messages", new
        {
            role = "user", content = "x", attachments = new[] { new { file_id = "file_a", tools = new[] { new { type = "web_search" } } } },
        });
        var listed = await (await client.GetAsync($"/v1/threads/{threadId}/messages")).JsonAsync();

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(("attachments", "No such File object: file_missing"), (error.GetProperty("param").GetString(), error.GetProperty("message").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, badTool.StatusCode);
        Assert.Equal("invalid_attachments", JsonDocument.Parse(await badTool.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, listed.GetProperty("data").GetArrayLength());
    }
}
