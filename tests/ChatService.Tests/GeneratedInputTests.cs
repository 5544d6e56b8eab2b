using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>
/// What a generated fuzz of every field of valid bodies found: values that passed the checks and failed later, as a
/// 500, instead of a 400 naming the field.
/// </summary>
public sealed class GeneratedInputTests
{
    [Theory]
    [InlineData("temperature", "\"NaN\"")]
    [InlineData("top_p", "\"NaN\"")]
    [InlineData("temperature", "\"Infinity\"")]
    public async Task SamplingThatIsNotAFiniteNumberIsRefusedNamingTheFieldAndNothingIsStored(string field, string value)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_nan");
        var assistant = await client.CreateAssistantAsync();
        var thread = (await (await client.PostAsJsonAsync("/v1/threads", new { })).JsonAsync()).GetProperty("id").GetString()!;
        var sampling = $"\"{field}\":{value}";
        (string Path, string Body)[] requests =
        [
            ("/v1/assistants", $$"""{"model":"gpt-4o-mini",{{sampling}}}"""),
            ($"/v1/assistants/{assistant}", $$"""{{{sampling}}}"""),
            ($"/v1/threads/{thread}/runs", $$"""{"assistant_id":"{{assistant}}",{{sampling}}}"""),
            ("/v1/threads/runs", $$"""{"assistant_id":"{{assistant}}",{{sampling}}}"""),
            ("/v1/responses", $$"""{"model":"{{assistant}}","input":"hi",{{sampling}}}"""),
            ("/v1/chat/completions", $$"""{"model":"{{assistant}}","messages":[{"role":"user","content":"hi"}],{{sampling}}}"""),
        ];

        foreach (var (path, body) in requests)
        {
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)response.StatusCode}: {text}");
            Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
        }

        var assistants = await (await client.GetAsync("/v1/assistants")).JsonAsync();
        Assert.Equal([assistant], assistants.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        var runs = await (await client.GetAsync($"/v1/threads/{thread}/runs")).JsonAsync();
        Assert.Equal(0, runs.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("\"x\"")]
    [InlineData("[]")]
    [InlineData("7")]
    [InlineData("true")]
    public async Task AFileSearchResourceThatIsNotAnObjectIsRefusedNamingIt(string fileSearch)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_resources");
        var assistant = await client.CreateAssistantAsync();
        var resources = $$"""{"file_search":{{fileSearch}}}""";
        (string Path, string Body)[] requests =
        [
            ("/v1/assistants", $$"""{"model":"gpt-4o-mini","tool_resources":{{resources}}}"""),
            ($"/v1/assistants/{assistant}", $$"""{"tool_resources":{{resources}}}"""),
            ("/v1/threads", $$"""{"tool_resources":{{resources}}}"""),
        ];

        foreach (var (path, body) in requests)
        {
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)response.StatusCode}: {text}");
            Assert.Equal("tool_resources.file_search", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
        }
        var threads = await (await client.GetAsync("/v1/threads")).JsonAsync();
        Assert.Equal(0, threads.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("/v1/responses", "text", "-1")]
    [InlineData("/v1/responses", "text", "\"zz\"")]
    [InlineData("/v1/responses", "reasoning", "\"zz\"")]
    [InlineData("/v1/responses", "reasoning", "[]")]
    [InlineData("/v1/chat/completions", "modalities", "\"text\"")]
    [InlineData("/v1/chat/completions", "modalities", "{}")]
    public async Task AnOptionOfTheWrongTypeIsRefusedNamingItNotAcceptedAndIgnored(string path, string field, string value)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_wrong_type");
        var assistant = await client.CreateAssistantAsync();
        var body = path == "/v1/responses"
            ? $$"""{"model":"{{assistant}}","input":"hi","{{field}}":{{value}}}"""
            : $$"""{"model":"{{assistant}}","messages":[{"role":"user","content":"hi"}],"{{field}}":{{value}}}""";

        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)response.StatusCode}: {text}");
        Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"type":"function","function":{"name":"f","description":7}}""")]
    [InlineData("/v1/chat/completions", """{"type":"function","function":{"name":"f","description":[]}}""")]
    [InlineData("/v1/responses", """{"type":"function","name":"f","description":{}}""")]
    [InlineData("/v1/responses", """{"type":"function","name":"f","parameters":"x"}""")]
    public async Task AFunctionToolWithADescriptionOrParametersOfTheWrongTypeIsRefused(string path, string tool)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_tool_types");
        var assistant = await client.CreateAssistantAsync();
        var body = path == "/v1/responses"
            ? $$"""{"model":"{{assistant}}","input":"hi","tools":[{{tool}}]}"""
            : $$"""{"model":"{{assistant}}","messages":[{"role":"user","content":"hi"}],"tools":[{{tool}}]}""";

        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)response.StatusCode}: {text}");
        Assert.Equal("tools", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
    }
}
