using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>A /v1 validation error of the document service names the field at fault in `param`, as OpenAI's do.</summary>
public sealed class ErrorParamTests
{
    [Fact]
    public async Task EachRouteFamilysValidationErrorNamesTheFieldAtFault()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_doc_param");
        using var created = await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = "Handbook" });
        var store = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        var mistakes = new (string Path, HttpContent Body, string Param)[]
        {
            ("/v1/vector_stores", Json("""{"expires_after":{"anchor":"created_at","days":7}}"""), "expires_after"),
            ("/v1/vector_stores", Json("""{"metadata":["team"]}"""), "metadata"),
            ($"/v1/vector_stores/{store}/search", Json("""{"query":"trains","max_num_results":0}"""), "max_num_results"),
            ($"/v1/vector_stores/{store}/search", Json("""{"query":"trains","filters":{"type":"near","key":"a","value":1}}"""), "filters"),
            ($"/v1/vector_stores/{store}/files", Json("""{"file_id":"file_x","attributes":{"a":{"b":1}}}"""), "attributes"),
            ($"/v1/vector_stores/{store}/files", Json("""{"file_id":"file_x","chunking_strategy":{"type":"sideways"}}"""), "chunking_strategy"),
            ("/v1/files", DocumentsClient.Form("a.txt", SampleFiles.Utf8("hello"), ("purpose", "fun")), "purpose"),
            ("/v1/files", DocumentsClient.Form("empty.txt", [], ("purpose", "assistants")), "file"),
            ("/v1/embeddings", Json("""{"model":"text-embedding-3-small","input":[]}"""), "input"),
        };

        foreach (var (path, body, param) in mistakes)
        {
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Equal(param, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
