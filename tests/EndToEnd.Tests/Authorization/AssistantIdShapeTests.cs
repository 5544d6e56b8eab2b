using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests.Authorization;

/// <summary>
/// Every service asks chat-service whether the caller may use an assistant. An "assistant id" that a URL's path
/// would swallow (".", "..") once turned that question into "list my assistants", which always answers 200, so every
/// user could file documents under "." and every other user could list and search them.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AssistantIdShapeTests(Platform platform)
{
    private static readonly string[] NotAssistants = [".", "..", "asst_x/..", "./asst_x", "%2e", "asst_.."];

    [Fact]
    public async Task DocumentsCannotBeFiledUnderAnIdThatIsNoAssistant()
    {
        var (writer, _) = await platform.NewUserAsync("writer");

        foreach (var id in NotAssistants)
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes("The launch code is TANGO-77."));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(file, "file", "secret.txt");
            form.Add(new StringContent("rag"), "type");
            form.Add(new StringContent(id), "assistant_id");
            using var upload = await writer.PostAsync(new Uri("/api/documents", UriKind.Relative), form);

            await AssertNoSuchAssistantAsync(upload, id);
        }
        var listed = await writer.GetFromJsonAsync<JsonElement>("/api/documents");
        Assert.Equal(0, listed.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task NoRouteThatNamesAnAssistantAcceptsAnIdThatIsNoAssistant()
    {
        var (reader, _) = await platform.NewUserAsync("reader");

        foreach (var id in NotAssistants)
        {
            var query = Uri.EscapeDataString(id);
            using var list = await reader.GetAsync(new Uri($"/api/documents?assistant_id={query}", UriKind.Relative));
            using var search = await reader.PostAsJsonAsync("/api/documents/search", new { assistant_id = id, query = "launch code" });
            using var stats = await reader.GetAsync(new Uri($"/api/intent-cache/stats?assistant_id={query}", UriKind.Relative));
            using var speak = await reader.PostAsJsonAsync("/api/voice/speak", new { prompt = "hello", assistant_id = id });

            foreach (var response in new[] { list, search, stats, speak })
            {
                await AssertNoSuchAssistantAsync(response, id);
            }
        }
    }

    [Fact]
    public async Task AVectorStoreIdThatAPathWouldSwallowIsNoVectorStore()
    {
        var (owner, _) = await platform.NewUserAsync("stores");

        foreach (var id in new[] { ".", ".." })
        {
            var toolResources = new { file_search = new { vector_store_ids = new[] { id } } };
            using var assistant = await owner.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", tool_resources = toolResources });
            using var thread = await owner.PostAsJsonAsync("/v1/threads", new { tool_resources = toolResources });

            foreach (var response in new[] { assistant, thread })
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.RequestMessage!.RequestUri} with '{id}': {(int)response.StatusCode} {body}");
                Assert.Equal("invalid_tool_resources", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
            }
        }
    }

    private static async Task AssertNoSuchAssistantAsync(HttpResponseMessage response, string id)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{response.RequestMessage!.RequestUri} with '{id}': {(int)response.StatusCode} {body}");
        Assert.Equal("assistant_not_found", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }
}
