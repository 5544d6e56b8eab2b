using System.Net;
using System.Text.Json;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// A fixed route beside an id route (/api/chats/messages beside /api/chats/{chat_id}) once took a wrong method as an
/// id and answered "No chat found with id 'messages'": the client learned nothing about what it did wrong.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class WrongMethodTests(Platform platform)
{
    [Theory]
    [InlineData("GET", "/api/chats/messages", "POST")]
    [InlineData("GET", "/api/documents/search", "POST")]
    [InlineData("DELETE", "/api/documents/search", "POST")]
    [InlineData("DELETE", "/api/intent-cache/stats", "GET")]
    [InlineData("DELETE", "/api/intent-cache/feedback", "POST")]
    public async Task AWrongMethodOnAFixedRouteIsA405ThatNamesTheMethodsItServes(string method, string path, string allowed)
    {
        var (client, _) = await platform.NewUserAsync("methods");

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains(allowed, response.Content.Headers.Allow);
        Assert.Equal("method_not_allowed", problem.GetProperty("code").GetString());
    }
}
