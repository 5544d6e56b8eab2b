using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>
/// Every list route reads `after` and `before` the same way: a cursor must name an object of the list being read. An
/// id of another caller's list, or of no list at all, is a 400 naming the cursor, never page one or an empty page.
/// </summary>
public sealed class ListCursorTests
{
    [Fact]
    public async Task EveryListRouteRefusesACursorFromAnotherListAndNamesItAndPagesFromItsOwn()
    {
        await using var factory = TestSupport.Service();
        var mine = await ListsOfAsync(factory, "usr_cursor_mine");
        var theirs = await ListsOfAsync(factory, "usr_cursor_theirs");
        using var client = factory.Client("usr_cursor_mine");

        Assert.Equal(9, mine.Count);
        foreach (var (name, (list, ownId)) in mine)
        {
            var foreignId = theirs[name].Id;
            foreach (var cursor in new[] { "after", "before" })
            {
                foreach (var id in new[] { foreignId, "nothing_by_this_id" })
                {
                    using var refused = await client.GetAsync($"{list}{Separator(list)}{cursor}={id}");
                    var text = await refused.Content.ReadAsStringAsync();
                    Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{name} {cursor}={id}: {(int)refused.StatusCode} {text}");
                    var (param, code) = ParamAndCode(list, JsonDocument.Parse(text).RootElement);
                    Assert.Equal((cursor, "invalid_cursor"), (param, code));
                }
                var page = await (await client.GetAsync($"{list}{Separator(list)}{cursor}={ownId}")).JsonAsync();
                Assert.DoesNotContain(page.GetProperty("data").EnumerateArray(), item => IdOf(item) == ownId);
            }
        }
    }

    [Fact]
    public async Task LimitAndOrderOutOfRangeAreRefusedNamingTheParameter()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_cursor_limits");

        foreach (var (query, param) in new[]
        {
            ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=1.5", "limit"), ("order=sideways", "order"),
        })
        {
            using var refused = await client.GetAsync($"/v1/assistants?{query}");
            var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(param, error.GetProperty("param").GetString());
        }
        using var notANumber = await client.GetAsync("/v1/assistants?limit=abc");
        var typeError = JsonDocument.Parse(await notANumber.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(("invalid_type", "Invalid 'limit': expected an integer, but got 'abc'."),
            (typeError.GetProperty("code").GetString(), typeError.GetProperty("message").GetString()));
        using var order = await client.GetAsync("/v1/assistants?order=sideways");
        Assert.Equal("Invalid value: 'sideways'. Supported values are: 'asc' and 'desc'.",
            JsonDocument.Parse(await order.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task AHugeOrHiddenValueIsEchoedBackShortAndPrintable()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_cursor_echo");

        using var refused = await client.GetAsync($"/v1/assistants?order={Uri.EscapeDataString("up\u0007\r\n" + new string('x', 5000))}");
        var message = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal($"Invalid value: 'up{new string('x', 62)}…'. Supported values are: 'asc' and 'desc'.", message);
    }

    [Fact]
    public async Task AQueryValueThatIsNotANumberIsRefusedNamingTheParameterAsTheClientWroteIt()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_cursor_casing");

        using var refused = await client.GetAsync("/v1/responses/resp_anything?stream=true&starting_after=abc");
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("starting_after", error.GetProperty("param").GetString());
        Assert.Contains("'starting_after'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("startingAfter", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHugeUnknownFieldNameIsEchoedBackShortToo()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_cursor_field_echo");
        var name = new string('k', 5000);

        using var refused = await client.PostAsync("/v1/responses", new StringContent(
            $$$"""{"model":"gpt-5","input":"Hi","reasoning":{"{{{name}}}":"deep"}}""", System.Text.Encoding.UTF8, "application/json"));
        var text = await refused.Content.ReadAsStringAsync();
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("unknown_parameter", error.GetProperty("code").GetString());
        Assert.Equal($"reasoning.{new string('k', 54)}…", error.GetProperty("param").GetString());
        Assert.True(text.Length < 600, $"{text.Length} characters answered");
    }

    private static string Separator(string list) => list.Contains('?', StringComparison.Ordinal) ? "&" : "?";

    private static string? IdOf(JsonElement item) =>
        (item.TryGetProperty("id", out var id) ? id : item.GetProperty("chat_id")).GetString();

    /// <summary>OpenAI's error body on /v1, ProblemDetails with the same extensions on native routes.</summary>
    private static (string? Param, string? Code) ParamAndCode(string list, JsonElement body) =>
        list.StartsWith("/v1", StringComparison.Ordinal)
            ? (body.GetProperty("error").GetProperty("param").GetString(), body.GetProperty("error").GetProperty("code").GetString())
            : (body.GetProperty("param").GetString(), body.GetProperty("code").GetString());

    /// <summary>One object in each list a caller can read, with the list's path: (list, id of that object).</summary>
    private static async Task<Dictionary<string, (string List, string Id)>> ListsOfAsync(ServiceFactory<Program> factory, string user)
    {
        using var client = factory.Client(user);
        var assistant = await client.CreateAssistantAsync();
        using var key = factory.Client(user, [assistant]);

        using var streamed = await client.PostAsJsonAsync("/v1/threads/runs", new
        {
            assistant_id = assistant,
            stream = true,
            thread = new { messages = new[] { new { role = "user", content = "Hello" } } },
        });
        var runBody = await streamed.Content.ReadAsStringAsync();
        Assert.True(streamed.IsSuccessStatusCode, runBody);
        var thread = (await (await client.GetAsync("/v1/threads")).JsonAsync()).GetProperty("data")[0].GetProperty("id").GetString()!;
        var run = (await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync()).GetProperty("data")[0].GetProperty("id").GetString()!;
        var message = (await (await client.GetAsync($"/v1/threads/{thread}/messages")).JsonAsync()).GetProperty("data")[0].GetProperty("id").GetString()!;
        var step = (await (await client.GetAsync($"/v1/threads/{thread}/runs/{run}/steps")).JsonAsync()).GetProperty("data")[0].GetProperty("id").GetString()!;

        var response = (await (await client.PostAsJsonAsync("/v1/responses", new { model = assistant, input = "Hi" })).JsonAsync()).GetProperty("id").GetString()!;
        var inputItem = (await (await client.GetAsync($"/v1/responses/{response}/input_items")).JsonAsync()).GetProperty("data")[0].GetProperty("id").GetString()!;
        var conversation = (await (await client.PostAsJsonAsync("/v1/conversations", new
        {
            items = new[] { new { type = "message", role = "user", content = "I live in Oslo." } },
        })).JsonAsync()).GetProperty("id").GetString()!;
        var conversationItem = (await (await client.GetAsync($"/v1/conversations/{conversation}/items")).JsonAsync()).GetProperty("data")[0].GetProperty("id").GetString()!;

        var chat = (await (await key.PostAsJsonAsync("/api/chats/messages", new
        {
            channel = new { id = "c-1", service = "whatsapp" }, username = "ana", message = "Hello",
        })).JsonAsync()).GetProperty("chat_id").GetString()!;

        return new()
        {
            ["assistants"] = ("/v1/assistants", assistant),
            ["threads"] = ("/v1/threads", thread),
            ["messages"] = ($"/v1/threads/{thread}/messages", message),
            ["runs"] = ($"/v1/threads/{thread}/runs", run),
            ["run steps"] = ($"/v1/threads/{thread}/runs/{run}/steps", step),
            ["input items"] = ($"/v1/responses/{response}/input_items", inputItem),
            ["conversation items"] = ($"/v1/conversations/{conversation}/items", conversationItem),
            ["conversations"] = ("/api/conversations", conversation),
            ["channel chats"] = ("/api/chats", chat),
        };
    }
}
