using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using OpenAI.Responses;

namespace ChatService.Tests;

/// <summary>
/// The end user a client names (`user`, `safety_identifier`, a message's `name`) reaches a configured model as sent, so
/// the operator's provider can tell the platform's end users apart; a request that names none sends none.
/// </summary>
public sealed class EndUserTests
{
    private static JsonNode Received(ScriptedHttpServer model, int index = 0) => JsonNode.Parse(model.Requests[index].Body)!;

    [Fact]
    public async Task AChatCompletionsUserSafetyIdentifierAndMessageNamesReachTheModelAsSent()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Hello Ann", 9, 2));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_enduser_chat");

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent("""
            {"model":"gpt-4o-mini","user":"customer-17","safety_identifier":"6f1ed002ab5595859014ebf0951522d9",
             "messages":[{"role":"user","name":"ann","content":"Hi, I am Ann."},{"role":"assistant","name":"helper","content":"Hello!"},
                         {"role":"user","name":"ann","content":"Who am I?"}]}
            """, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Received(model);
        Assert.Equal("customer-17", (string?)sent["user"]);
        Assert.Equal("6f1ed002ab5595859014ebf0951522d9", (string?)sent["safety_identifier"]);
        var named = sent["messages"]!.AsArray().Where(m => (string?)m!["role"] != "system").Select(m => (string?)m!["name"] ?? "").ToArray();
        Assert.Equal(["ann", "helper", "ann"], named);
    }

    [Fact]
    public async Task TheSdksEndUserOnAChatCompletionAndAResponseReachesTheModel()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Sunny"));
        await using var factory = TestSupport.Service().WithModel(model);
        var sdk = factory.Sdk("usr_enduser_sdk");

        await foreach (var _ in sdk.GetChatClient("gpt-4o-mini").CompleteChatStreamingAsync(
            [new UserChatMessage("Weather?")], new ChatCompletionOptions { EndUserId = "chat-user-1" }))
        {
        }
        await sdk.GetResponsesClient().CreateResponseAsync(
            new CreateResponseOptions("gpt-4o-mini", [ResponseItem.CreateUserMessageItem("Weather?")]) { EndUserId = "response-user-2" });

        Assert.Equal("chat-user-1", (string?)Received(model, 0)["user"]);
        Assert.Equal("response-user-2", (string?)Received(model, 1)["user"]);
    }

    [Fact]
    public async Task ABackgroundResponsesSafetyIdentifierReachesTheModel()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionStreamAsync(context, 9, "Sunny"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_enduser_background");

        using var response = await client.PostAsync("/v1/responses", new StringContent(
            """{"model":"gpt-4o-mini","input":"Weather?","background":true,"safety_identifier":"hashed-user-3"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count > 0), TimeSpan.FromSeconds(30), "the background response's model call");
        Assert.Equal("hashed-user-3", (string?)Received(model)["safety_identifier"]);
    }

    [Fact]
    public async Task ARequestThatNamesNoEndUserSendsNone()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Hi", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_enduser_none");

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"gpt-4o-mini","user":"","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Received(model).AsObject();
        Assert.False(sent.ContainsKey("user"));
        Assert.False(sent.ContainsKey("safety_identifier"));
        Assert.DoesNotContain(sent["messages"]!.AsArray(), m => m!.AsObject().ContainsKey("name"));
    }

    [Theory]
    [InlineData("Ann Smith")]
    [InlineData("ann<script>")]
    [InlineData("")]
    public async Task ANameOpenAIWouldRefuseIsRefusedHereNamingTheClientsOwnMessage(string name)
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Hi", 9, 1));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_enduser_badname");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            messages = new object[] { new { role = "system", content = "Be brief." }, new { role = "user", name, content = "Hi" } },
        });
        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("messages[1].name", error.GetProperty("param").GetString());
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task AConversationWithAParticipantsNameIsNeitherAnsweredFromTheAnswerCacheNorStoredInIt()
    {
        await using var cache = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/lookup", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new { hit = true, answer = "We open at nine.", intent = "hours", confidence = 0.97, entry_id = "e1" })
            : Task.CompletedTask);
        await using var documents = await TestSupport.DocumentsAsync(() => "kv-1");
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "Hi Alice, we open at nine.", 9, 6));
        await using var factory = TestSupport.Service().WithModel(model).WithIntentCache(cache).WithDocuments(documents);
        using var client = factory.Client("usr_enduser_named_cache");
        var assistantId = await client.CreateAssistantAsync();

        var answers = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var completion = await (await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = assistantId,
                messages = new[] { new { role = "user", name = "alice", content = "When do you open?" } },
            })).JsonAsync();
            answers.Add(completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
        }

        Assert.All(answers, a => Assert.Equal("Hi Alice, we open at nine.", a));
        Assert.Empty(cache.Requests);
    }
}
