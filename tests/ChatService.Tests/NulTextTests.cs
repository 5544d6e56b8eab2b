using System.Net;
using System.Text;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>
/// The NUL character (\u0000 in JSON) cannot be stored in PostgreSQL's text: it was a 500 there and stored on SQLite.
/// Both databases now refuse it the same way, with a 400 that says so, and keep what was stored before.
/// </summary>
public sealed class NulTextTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TextWithANulCharacterIsRefusedWithA400OnEitherDatabaseAndNothingStoredChanges(string database)
    {
        await using var factory = await TestSupport.ServiceOnAsync(database);
        using var client = factory.Client("usr_nul");
        var assistantId = await client.CreateAssistantAsync("Answer briefly.");

        using var named = await PostAsync(client, "/v1/assistants", """{"model":"gpt-4o-mini","name":"a\u0000b"}""");
        using var renamed = await PostAsync(client, $"/v1/assistants/{assistantId}", """{"instructions":"x\u0000y"}""");
        using var thread = await PostAsync(client, "/v1/threads", """{"messages":[{"role":"user","content":"hi\u0000there"}]}""");

        var refusals = new[] { named, renamed, thread };
        Assert.All(refusals, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var errors = await Task.WhenAll(refusals.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("error")));
        Assert.All(errors, e => Assert.Equal("Text must not contain the NUL character (\\u0000).", e.GetProperty("message").GetString()));
        // Refused while binding, the field is named; text read after binding is refused at the save, unnamed.
        Assert.Equal("name", errors[0].GetProperty("param").GetString());
        var assistant = await (await client.GetAsync($"/v1/assistants/{assistantId}")).JsonAsync();
        Assert.Equal("Answer briefly.", assistant.GetProperty("instructions").GetString());
        var threads = await (await client.GetAsync("/v1/threads")).JsonAsync();
        Assert.Empty(threads.GetProperty("data").EnumerateArray());
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
