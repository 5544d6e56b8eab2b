using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>
/// With an OpenAI-compatible embeddings endpoint configured, chunks and queries are embedded there (through the
/// OpenAI SDK), and vector similarity finds passages that share no word with the question. The endpoint is the far
/// end of a model, so a scripted server stands in: a toy model that maps words onto two topics.
/// </summary>
public sealed class EmbeddingProviderTests
{
    private static readonly string[] Cats = ["kitten", "kittens", "cat", "feline", "vaccination", "vet"];
    private static readonly string[] Cars = ["automobile", "automobiles", "car", "vehicle", "inspection", "garage"];

    private static float[] Embed(string text)
    {
        var words = text.ToLowerInvariant().Split([' ', '.', ',', '?'], StringSplitOptions.RemoveEmptyEntries);
        var vector = new float[] { words.Count(Cats.Contains), words.Count(Cars.Contains), 0.05f };
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return [.. vector.Select(v => v / norm)];
    }

    [Fact]
    public async Task AConfiguredEmbeddingsEndpointEmbedsChunksAndQueriesAndFindsPassagesByMeaning()
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            var base64 = request.RootElement.TryGetProperty("encoding_format", out var format) && format.GetString() == "base64";
            var inputs = request.RootElement.GetProperty("input").EnumerateArray().Select(i => i.GetString()!).ToList();
            var data = inputs.Select((input, index) => new Dictionary<string, object>
            {
                ["object"] = "embedding",
                ["index"] = index,
                ["embedding"] = base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(Embed(input).AsSpan())) : Embed(input),
            });
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["object"] = "list",
                ["model"] = "toy-embedder",
                ["data"] = data,
                ["usage"] = new { prompt_tokens = 1, total_tokens = 1 },
            }));
        });
        await using var host = await DocumentsHost.StartAsync(f => f
            .With("ConnectionStrings:embeddings", $"Endpoint={model.Url.ToString().TrimEnd('/')}/v1;Key=sk-test;Model=toy-embedder"));
        var assistant = host.NewAssistant("usr_emb");
        using var client = host.ClientFor("usr_emb");

        await client.UploadOkAsync(assistant, "rag", "pets.txt", SampleFiles.Utf8("Kittens need their first vaccination at eight weeks."));
        await client.UploadOkAsync(assistant, "rag", "cars.txt", SampleFiles.Utf8("Automobiles need an inspection every two years."));
        var hits = await client.SearchAsync(assistant, "feline health", 1);

        Assert.Equal("pets.txt", hits[0].GetProperty("filename").GetString());
        var calls = model.Requests.Where(r => r.PathAndQuery == "/v1/embeddings").ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal("Bearer sk-test", c.Headers["Authorization"]));
        Assert.All(calls, c => Assert.Contains("\"toy-embedder\"", c.Body, StringComparison.Ordinal));
        Assert.Contains("feline health", calls[^1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailingEmbeddingsEndpointIsA503AndStoresNothing()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync("{\"error\":{\"message\":\"model crashed\",\"type\":\"server_error\"}}");
        });
        await using var host = await DocumentsHost.StartAsync(f => f
            .With("ConnectionStrings:embeddings", $"Endpoint={model.Url.ToString().TrimEnd('/')}/v1;Key=sk-test;Model=toy-embedder"));
        var assistant = host.NewAssistant("usr_emb_down");
        using var client = host.ClientFor("usr_emb_down");

        using var response = await client.UploadAsync(assistant, "rag", "pets.txt", SampleFiles.Utf8("Kittens need a vet."));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("embeddings endpoint failed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(host.BlobFiles());
        Assert.Equal(0, (await client.ListAsync(assistant)).GetArrayLength());
    }

    [Fact]
    public async Task AnEmbeddingsEndpointNobodyListensOnIsA503NamingItOnUploadsAndOnV1Embeddings()
    {
        // A port nothing listens on: the connection is refused, which once read as "a store is not available".
        var closed = FreePort.Next();
        await using var host = await DocumentsHost.StartAsync(f => f
            .With("ConnectionStrings:embeddings", $"Endpoint=http://127.0.0.1:{closed}/v1;Key=sk-test;Model=toy-embedder"));
        var assistant = host.NewAssistant("usr_emb_gone");
        using var client = host.ClientFor("usr_emb_gone");

        using var upload = await client.UploadAsync(assistant, "rag", "pets.txt", SampleFiles.Utf8("Kittens need a vet."));
        using var embed = await client.PostAsJsonAsync(new Uri("/v1/embeddings", UriKind.Relative), new { model = "toy-embedder", input = "Kittens" });
        var embedError = (await embed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        Assert.Contains("embeddings endpoint failed", await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, embed.StatusCode);
        Assert.Equal("embeddings_unavailable", embedError.GetProperty("code").GetString());
        Assert.Empty(host.BlobFiles());
    }
}
