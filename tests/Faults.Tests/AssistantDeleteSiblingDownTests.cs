using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Faults.Tests;

public sealed class AssistantDeleteSiblingDownTests
{
    [Fact]
    public async Task DeletingAnAssistantWhileASiblingIsDownAnswers503KeepsTheAssistantAndSucceedsWhenRepeatedLater()
    {
        await using var platform = await Platform.StartAsync();
        using var user = await platform.NewUserAsync("deleter");
        using var created = await user.PostAsJsonAsync("/v1/assistants", new { model = "gpt-4o-mini", name = "Doomed" });
        var assistant = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("Every employee receives 25 vacation days per year."));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", "handbook.txt");
        form.Add(new StringContent("rag"), "type");
        form.Add(new StringContent(assistant), "assistant_id");
        using var uploaded = await user.PostAsync(new Uri("/api/documents", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        // The upload asked chat-service whether the caller may use the assistant: a sibling call that succeeded is
        // no entry in an operator's log (it was one line for each, nearly every line a service wrote).
        Assert.All(platform.ServiceNames, service => Assert.DoesNotContain("info: Polly", platform[service].Output));

        await platform["intent-cache-service"].KillAsync();
        using var refused = await user.DeleteAsync($"/v1/assistants/{assistant}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var error = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("service_unavailable", error.GetProperty("code").GetString());
        Assert.DoesNotContain("http://", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync($"/v1/assistants/{assistant}")).StatusCode);

        await platform.StartServiceAsync("intent-cache-service");
        var back = Stopwatch.StartNew();
        HttpResponseMessage repeated;
        while ((repeated = await user.DeleteAsync($"/v1/assistants/{assistant}")).StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            Assert.True(back.Elapsed < TimeSpan.FromSeconds(30), "the repeated delete kept failing after intent-cache-service returned");
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.GetAsync($"/v1/assistants/{assistant}")).StatusCode);
        var documents = await user.GetFromJsonAsync<JsonElement>("/api/documents");
        Assert.Equal(0, documents.GetProperty("data").GetArrayLength());
    }
}
