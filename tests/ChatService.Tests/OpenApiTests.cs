using System.Text.Json;

namespace ChatService.Tests;

public sealed class OpenApiTests
{
    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryChatRoute()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        var paths = JsonDocument.Parse(text).RootElement.GetProperty("paths");
        foreach (var path in new[]
        {
            "/v1/assistants", "/v1/assistants/{assistant_id}", "/v1/threads", "/v1/threads/{thread_id}/messages",
            "/v1/threads/{thread_id}/runs", "/v1/threads/{thread_id}/runs/{run_id}/cancel", "/v1/chat/completions", "/v1/models",
            "/api/chats/messages", "/api/chats", "/api/chats/{chat_id}/deactivate", "/api/ask", "/v1/responses/input_tokens",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }
    }
}
