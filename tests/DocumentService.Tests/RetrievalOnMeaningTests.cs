using System.Globalization;
using DocumentService.Services.Retrieval;
using DocumentService.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Embeddings;
using Xunit.Abstractions;

namespace DocumentService.Tests;

/// <summary>
/// Dense vectors of the local MiniLM model combined with BM25, against the hashed word vectors the service used
/// before, on the same paraphrased questions over the same chunks: measured side by side in one run.
/// </summary>
public sealed class RetrievalOnMeaningTests(ITestOutputHelper output)
{
    private static readonly DocumentsOptions Defaults = new();

    /// <summary>The settings the hashed vectors had as the default: half vectors, half BM25, noise below 0.05.</summary>
    private static readonly DocumentsOptions HashedDefaults = new() { VectorWeight = 0.5, MinScore = 0.05 };

    [Fact]
    public async Task ParaphrasedQuestionsFindTheirPassageInTheTopThreeWithTheModelFarMoreOftenThanWithHashedWords()
    {
        var model = await RetrievalSet.IndexAsync(new LocalEmbeddingGenerator());
        var hashed = await RetrievalSet.IndexAsync(new HashedEmbeddingGenerator(256));

        var (modelTop1, modelTop3) = Measure(model, "model", Defaults);
        var (hashedTop1, hashedTop3) = Measure(hashed, "hashed", HashedDefaults);
        var n = (double)RetrievalSet.Paraphrases.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n} paraphrased questions: top-1 model {modelTop1 / n:0.000} vs hashed {hashedTop1 / n:0.000}; top-3 model {modelTop3 / n:0.000} vs hashed {hashedTop3 / n:0.000}"));

        Assert.True(modelTop3 / n >= 0.95, $"top-3 with the model {modelTop3}/{n}");
        Assert.True(modelTop3 > hashedTop3, $"model {modelTop3} vs hashed {hashedTop3}");
        Assert.True(modelTop1 > hashedTop1, $"model {modelTop1} vs hashed {hashedTop1}");
    }

    private (int Top1, int Top3) Measure((AssistantIndex Index, float[][] Questions) set, string label, DocumentsOptions settings)
    {
        int top1 = 0, top3 = 0;
        for (var q = 0; q < set.Questions.Length; q++)
        {
            var rank = RetrievalSet.Rank(set.Index, q, set.Questions[q], 3, settings.VectorWeight, settings.MinScore);
            top1 += rank == 0 ? 1 : 0;
            top3 += rank >= 0 ? 1 : 0;
            if (rank != 0)
            {
                output.WriteLine($"{label} {(rank < 0 ? "miss" : "rank " + (rank + 1))}: {RetrievalSet.Paraphrases[q].Question}");
            }
        }
        return (top1, top3);
    }
}

/// <summary>
/// Documents embedded by one model and searched after the service was switched to another: the first search embeds
/// the stored chunks again with today's model and writes them back, so vectors of two models are never compared.
/// </summary>
public sealed class ReindexOnModelChangeTests
{
    [Fact]
    public async Task AfterTheEmbeddingModelChangesTheFirstSearchReembedsStoredChunksAndFindsPassagesByMeaning()
    {
        // The first model: an OpenAI-compatible endpoint whose vectors carry no meaning (the same for every text).
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            using var request = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
            var count = request.RootElement.GetProperty("input").GetArrayLength();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["object"] = "list",
                ["model"] = "flat-embedder",
                ["data"] = Enumerable.Range(0, count).Select(i => new { @object = "embedding", index = i, embedding = new[] { 1f, 0f, 0f } }),
                ["usage"] = new { prompt_tokens = 1, total_tokens = 1 },
            }));
        });
        using var directory = TestDirectory.Create("db-");
        var database = $"Data Source={Path.Combine(directory.Path, "docsdb.db")}";
        string assistant;
        await using (var before = await DocumentsHost.StartAsync(f => f.With("ConnectionStrings:docsdb", database)
            .With("ConnectionStrings:embeddings", $"Endpoint={model.Url.ToString().TrimEnd('/')}/v1;Key=sk-test;Model=flat-embedder")))
        {
            assistant = before.NewAssistant("usr_reindex");
            using var client = before.ClientFor("usr_reindex");
            foreach (var file in RetrievalSet.Files)
            {
                await client.UploadOkAsync(assistant, "rag", file, SampleFiles.Utf8(RetrievalSet.Read(file)));
            }
        }

        await using var after = await DocumentsHost.StartAsync(f => f.With("ConnectionStrings:docsdb", database));
        after.Own(assistant, "usr_reindex");
        using var afterClient = after.ClientFor("usr_reindex");
        var hits = (await afterClient.SearchAsync(assistant, "someone nicked my notebook computer", 3)).EnumerateArray().ToList();

        Assert.Contains(hits, h => h.GetProperty("text").GetString()!.Contains("wiped remotely", StringComparison.Ordinal));
        await using var scope = after.Factory.Services.CreateAsyncScope();
        var models = await scope.ServiceProvider.GetRequiredService<DocumentService.Model.DocumentsDbContext>().Chunks
            .Select(c => c.EmbeddingModel).Distinct().ToListAsync();
        Assert.Equal([LocalEmbeddingGenerator.ModelId], models);
    }
}
