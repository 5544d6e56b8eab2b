using System.Text.Json;
using Embeddings;

namespace IntentCacheService.Tests;

/// <summary>
/// An FAQ bot is mostly asked the same questions again. A repeat, whatever its case, spacing or closing punctuation,
/// is matched on its normalised text and served without asking the embedding model; a paraphrase goes through the
/// model and its intent. The model here is an OpenAI-compatible embeddings endpoint (a scripted far end that answers
/// with the local MiniLM's vectors), so its calls can be counted.
/// </summary>
public sealed class ExactRepeatTests
{
    [Fact]
    public async Task ARepeatedQuestionIsServedWithoutAModelCallAndAParaphraseThroughItsIntent()
    {
        var local = new LocalEmbeddingGenerator();
        var embedded = new List<string>();
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            var inputs = request.RootElement.GetProperty("input").EnumerateArray().Select(i => i.GetString()!).ToList();
            lock (embedded)
            {
                embedded.AddRange(inputs);
            }
            var vectors = await local.GenerateAsync(inputs);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["object"] = "list",
                ["model"] = "minilm-remote",
                ["data"] = vectors.Select((v, i) => new { @object = "embedding", index = i, embedding = v.Vector.ToArray() }),
                ["usage"] = new { prompt_tokens = 1, total_tokens = 1 },
            }));
        });
        await using var host = await IntentCacheHost.StartAsync(configure: f => f
            .With("ConnectionStrings:embeddings", $"Endpoint={model.Url.ToString().TrimEnd('/')}/v1;Key=sk-test;Model=minilm-remote"));
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get?", "25 a year.");
        var callsAfterStore = embedded.Count;

        var repeats = new[] { "How many vacation days do I get?", "how many vacation days do i get", "  HOW many   vacation days do I get?! " };
        var served = new List<LookupResult>();
        foreach (var repeat in repeats)
        {
            served.Add(await client.LookupAsync(assistant, repeat));
        }
        var callsAfterRepeats = embedded.Count;
        var paraphrase = await client.LookupAsync(assistant, "what's the yearly holiday entitlement");

        Assert.All(served, s => Assert.True(s.Hit));
        Assert.All(served, s => Assert.Equal("25 a year.", s.Answer));
        Assert.Equal(callsAfterStore, callsAfterRepeats);
        Assert.True(paraphrase.Hit);
        Assert.Equal("vacation_policy", paraphrase.Intent);
        Assert.Equal("what's the yearly holiday entitlement", embedded[^1]);
    }
}
