using System.Net;
using System.Text;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>A /v1 validation error names the field at fault in `param`, as OpenAI's do, on every route family.</summary>
public sealed class ErrorParamTests
{
    public static TheoryData<string, string, string> Mistakes => new()
    {
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[]}""", "messages" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}]}""", "model" },
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":3}""", "temperature" },
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", "temperature" },
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens" },
        { "/v1/assistants", """{"model":"gpt-4o-mini","metadata":{"team":1}}""", "metadata" },
        { "/v1/assistants", $$"""{"model":"gpt-4o-mini","name":"{{new string('n', 257)}}"}""", "name" },
        { "/v1/assistants", """{"model":"gpt-4o-mini","tools":[{"type":"browser"}]}""", "tools" },
        { "/v1/threads", """{"messages":[{"role":"robot","content":"hi"}]}""", "role" },
        { "/v1/threads/runs", """{"thread":{}}""", "assistant_id" },
        { "/v1/responses", """{"model":"gpt-4o-mini"}""", "input" },
        { "/v1/responses", """{"model":"gpt-4o-mini","input":"hi","tool_choice":"sometimes"}""", "tool_choice" },
        { "/v1/responses", """{"model":"gpt-4o-mini","input":"hi","top_p":2}""", "top_p" },
        { "/v1/conversations", """{"items":"not items"}""", "items" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task AValidationErrorNamesTheFieldAtFault(string path, string body, string param)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_param");

        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(param, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    public static TheoryData<string, string, string> Worded => new()
    {
        { """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":-1}""", "invalid_max_tokens", "max_tokens must be positive." },
        { """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":0}""", "invalid_max_tokens", "max_completion_tokens must be positive." },
        { """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]}""", "invalid_stop", "Invalid 'stop': it must be a string or an array of at most 4 strings." },
    };

    [Theory]
    [MemberData(nameof(Worded))]
    public async Task AValidationErrorsCodeAndWordsAreAboutTheFieldTheClientSent(string body, string code, string message)
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client("usr_worded");

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }
}
