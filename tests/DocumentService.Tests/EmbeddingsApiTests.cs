using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;
using OpenAI;
using OpenAI.Embeddings;
using Embeddings;

namespace DocumentService.Tests;

/// <summary>/v1/embeddings with the official SDK: the platform's own model, OpenAI's shapes, floats or base64.</summary>
public sealed class EmbeddingsApiTests
{
    [Fact]
    public async Task TheOfficialSdkEmbedsTextsWhoseVectorsFollowTheirMeaning()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var http = host.ClientFor("usr_embed");
        var client = Sdk(http);

        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(
            ["Trains are booked through the travel desk.", "Book your train tickets at the travel desk.", "The canteen serves soup on Fridays."]);
        using var floats = await http.PostAsJsonAsync(new Uri("/v1/embeddings", UriKind.Relative),
            new { model = "text-embedding-3-small", input = "Trains are booked through the travel desk.", encoding_format = "float" });
        var raw = (await floats.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("embedding")
            .EnumerateArray().Select(e => e.GetSingle()).ToArray();

        var vectors = embeddings.Select(e => e.ToFloats().ToArray()).ToList();
        Assert.Equal([0, 1, 2], embeddings.Select(e => e.Index));
        Assert.Equal(LocalEmbeddingGenerator.ModelId, embeddings.Model);
        Assert.True(embeddings.Usage.InputTokenCount > 10);
        Assert.All(vectors, v => Assert.Equal(LocalEmbeddingGenerator.Dimensions, v.Length));
        Assert.True(Cosine(vectors[0], vectors[1]) > Cosine(vectors[0], vectors[2]) + 0.2, "texts that mean the same are nearer");
        Assert.Equal(vectors[0], raw);
    }

    [Theory]
    [InlineData("""{"model":"m","input":[]}""", "invalid_input")]
    [InlineData("""{"model":"m","input":""}""", "invalid_input")]
    [InlineData("""{"model":"m","input":[1,2,3]}""", "invalid_input")]
    [InlineData("""{"model":"m","input":[["a"]]}""", "invalid_input")]
    [InlineData("""{"input":"hello"}""", "invalid_model")]
    [InlineData("""{"model":"m","input":"hello","encoding_format":"hex"}""", "invalid_encoding_format")]
    [InlineData("""{"model":"m","input":"hello","dimensions":12}""", "invalid_dimensions")]
    public async Task InputTheModelCannotEmbedIsA400InOpenAIsShape(string body, string code)
    {
        await using var host = await DocumentsHost.StartAsync();
        using var http = host.ClientFor("usr_embed_bad");

        using var response = await http.PostAsync(new Uri("/v1/embeddings", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task NobodyTheGatewayDidNotVouchForGetsEmbeddings()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var anonymous = host.Factory.CreateClient();

        using var response = await anonymous.PostAsJsonAsync(new Uri("/v1/embeddings", UriKind.Relative), new { model = "m", input = "hello" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static EmbeddingClient Sdk(HttpClient http) => new("text-embedding-3-small", new ApiKeyCredential("sk-unused"), new OpenAIClientOptions
    {
        Endpoint = new Uri(http.BaseAddress!, "/v1"),
        Transport = new HttpClientPipelineTransport(http),
    });

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
