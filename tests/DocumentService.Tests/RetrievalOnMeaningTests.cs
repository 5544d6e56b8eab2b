using System.Globalization;
using DocumentService.Services.Retrieval;
using ServiceDefaults.Embeddings;
using Xunit.Abstractions;

namespace DocumentService.Tests;

/// <summary>
/// Dense vectors of the local MiniLM model combined with BM25, against the hashed word vectors the service used
/// before, on the same paraphrased questions over the same chunks: measured side by side in one run.
/// </summary>
public sealed class RetrievalOnMeaningTests(ITestOutputHelper output)
{
    private static readonly DocumentsOptions Defaults = new();

    [Fact]
    public async Task ParaphrasedQuestionsFindTheirPassageInTheTopThreeWithTheModelFarMoreOftenThanWithHashedWords()
    {
        var model = await RetrievalSet.IndexAsync(new LocalEmbeddingGenerator());
        var hashed = await RetrievalSet.IndexAsync(new HashedEmbeddingGenerator(256));

        var (modelTop1, modelTop3) = Measure(model, "model");
        var (hashedTop1, hashedTop3) = Measure(hashed, "hashed");
        var n = (double)RetrievalSet.Paraphrases.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n} paraphrased questions: top-1 model {modelTop1 / n:0.000} vs hashed {hashedTop1 / n:0.000}; top-3 model {modelTop3 / n:0.000} vs hashed {hashedTop3 / n:0.000}"));

        Assert.True(modelTop3 / n >= 0.95, $"top-3 with the model {modelTop3}/{n}");
        Assert.True(modelTop3 > hashedTop3, $"model {modelTop3} vs hashed {hashedTop3}");
        Assert.True(modelTop1 > hashedTop1, $"model {modelTop1} vs hashed {hashedTop1}");
    }

    private (int Top1, int Top3) Measure((AssistantIndex Index, float[][] Questions) set, string label)
    {
        int top1 = 0, top3 = 0;
        for (var q = 0; q < set.Questions.Length; q++)
        {
            var rank = RetrievalSet.Rank(set.Index, q, set.Questions[q], 3, Defaults.VectorWeight, Defaults.MinScore);
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
