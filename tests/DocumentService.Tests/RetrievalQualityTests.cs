using System.Globalization;
using DocumentService.Tests.Support;
using Xunit.Abstractions;

namespace DocumentService.Tests;

/// <summary>
/// Retrieval quality through the service on a small labelled set: the four kept documents (Data/: an HR handbook, a
/// product manual, a résumé, an IT help page), and questions worded as people ask them, each labelled with the phrase
/// the right passage contains. Top-1 and top-3 accuracy are printed and held to a floor.
/// </summary>
public sealed class RetrievalQualityTests(ITestOutputHelper output)
{
    private static readonly (string Question, string File, string Phrase)[] Labelled =
    [
        ("How many vacation days do I get each year?", "handbook.md", "25 days of paid vacation"),
        ("Can I carry unused holiday days into next year?", "handbook.md", "carried over"),
        ("When do I need a doctor's note when I'm sick?", "handbook.md", "doctor's certificate"),
        ("How long is parental leave?", "handbook.md", "16 weeks"),
        ("How many days per week can I work from home?", "handbook.md", "three days per week"),
        ("What is the daily limit for meals when travelling on business?", "handbook.md", "45 euros"),
        ("How often should the filter cartridge be replaced?", "aquapure.txt", "six months"),
        ("The water flow is very low, what should I check?", "aquapure.txt", "clogged cartridge"),
        ("Why is the water cloudy after changing the cartridge?", "aquapure.txt", "cloudy"),
        ("Is the cartridge covered by the warranty?", "aquapure.txt", "not covered"),
        ("Which battery does the indicator use?", "aquapure.txt", "CR2032"),
        ("Where did Maria study computer science?", "resume.md", "University of Porto"),
        ("What languages does the candidate speak?", "resume.md", "Portuguese"),
        ("What did she build at Northwind Logistics?", "resume.md", "route-planning service"),
        ("Has she given any conference talks?", "resume.md", "NDC Oslo"),
        ("How do I reset my password?", "it-help.txt", "password.example.com"),
        ("The VPN keeps disconnecting", "it-help.txt", "UDP to TCP"),
        ("My laptop was stolen, what do I do?", "it-help.txt", "wiped remotely"),
        ("How long must a new password be?", "it-help.txt", "14 characters"),
        ("How do I print in colour?", "it-help.txt", "Colour printing"),
    ];

    [Fact]
    public async Task LabelledQuestionsFindTheirPassageMostOfTheTimeAtTopOneAndNearlyAlwaysInTheTopThree()
    {
        // Passages smaller than the default, so each document has several and the right one must be picked.
        await using var host = await DocumentsHost.StartAsync(f => f.With("Documents:ChunkSize", "400").With("Documents:ChunkOverlap", "80"));
        var assistant = host.NewAssistant("usr_quality");
        using var client = host.ClientFor("usr_quality");
        await client.UploadOkAsync(assistant, "rag", "handbook.md", SampleFiles.Utf8(RetrievalSet.Read("handbook.md")));
        await client.UploadOkAsync(assistant, "rag", "aquapure.txt", SampleFiles.Utf8(RetrievalSet.Read("aquapure.txt")));
        await client.UploadOkAsync(assistant, "rag", "resume.md", SampleFiles.Utf8(RetrievalSet.Read("resume.md")));
        await client.UploadOkAsync(assistant, "rag", "it-help.txt", SampleFiles.Utf8(RetrievalSet.Read("it-help.txt")));

        int top1 = 0, top3 = 0;
        foreach (var (question, file, phrase) in Labelled)
        {
            var hits = (await client.SearchAsync(assistant, question, 3)).EnumerateArray().ToList();
            var rank = hits.FindIndex(h => h.GetProperty("filename").GetString() == file
                && h.GetProperty("text").GetString()!.Contains(phrase, StringComparison.Ordinal));
            top1 += rank == 0 ? 1 : 0;
            top3 += rank >= 0 ? 1 : 0;
            output.WriteLine($"{(rank < 0 ? "miss" : "rank " + (rank + 1))}: {question}");
        }

        var accuracy1 = top1 / (double)Labelled.Length;
        var accuracy3 = top3 / (double)Labelled.Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top-1 accuracy {accuracy1:P0} ({top1}/{Labelled.Length}), top-3 accuracy {accuracy3:P0} ({top3}/{Labelled.Length})"));
        Assert.True(accuracy1 >= 0.75, $"top-1 accuracy {accuracy1:P0}");
        Assert.True(accuracy3 >= 0.9, $"top-3 accuracy {accuracy3:P0}");
    }

    [Fact]
    public async Task ScoresAreOrderedAndAQuestionAboutNothingInTheDocumentsFindsNothing()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_scores");
        using var client = host.ClientFor("usr_scores");
        await client.UploadOkAsync(assistant, "rag", "it-help.txt", SampleFiles.Utf8(RetrievalSet.Read("it-help.txt")));
        await client.UploadOkAsync(assistant, "rag", "aquapure.txt", SampleFiles.Utf8(RetrievalSet.Read("aquapure.txt")));

        var hits = (await client.SearchAsync(assistant, "password reset VPN printer cartridge", 5)).EnumerateArray().ToList();
        var nothing = await client.SearchAsync(assistant, "zebra quantum xylophone");

        Assert.True(hits.Count >= 2);
        var scores = hits.Select(h => h.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));
        Assert.All(hits, h => Assert.StartsWith("doc_", h.GetProperty("document_id").GetString(), StringComparison.Ordinal));
        Assert.All(hits, h => Assert.True(h.GetProperty("chunk_index").GetInt32() >= 0));
        Assert.Empty(nothing.EnumerateArray());
    }
}
