using DocumentService.Services.Retrieval;

namespace DocumentService.Tests;

public sealed class ChunkerTests
{
    private static string Sentences(int count) =>
        string.Join(" ", Enumerable.Range(1, count).Select(i => $"Sentence number {i} says something about topic {i % 7}."));

    [Fact]
    public void ChunksStayWithinTheSizeAndEndOnSentenceBoundaries()
    {
        var chunks = TextChunker.Split(Sentences(200), 400, 80);

        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.True(c.Length <= 400, $"{c.Length} > 400"));
        Assert.All(chunks, c => Assert.EndsWith(".", c, StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.StartsWith("Sentence number", c, StringComparison.Ordinal));
    }

    [Fact]
    public void EachChunkStartsWithTheLastSentenceOfThePreviousOne()
    {
        var chunks = TextChunker.Split(Sentences(60), 300, 80);

        for (var i = 1; i < chunks.Count; i++)
        {
            var previousLast = chunks[i - 1][(chunks[i - 1].LastIndexOf("Sentence", StringComparison.Ordinal))..];
            Assert.StartsWith(previousLast, chunks[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryWordOfTheTextAppearsInSomeChunk()
    {
        var text = Sentences(50) + "\n\nA new paragraph begins here.\n\n" + new string('x', 900) + " tail";
        var chunks = TextChunker.Split(text, 300, 50);

        var words = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length < 300);
        Assert.All(words, w => Assert.Contains(chunks, c => c.Contains(w, StringComparison.Ordinal)));
        Assert.All(chunks, c => Assert.True(c.Length <= 300));
    }

    [Fact]
    public void ParagraphsThatFitTogetherShareOneChunk()
    {
        var chunks = TextChunker.Split("First short paragraph.\n\nSecond short paragraph.", 300, 50);

        Assert.Equal("First short paragraph.\n\nSecond short paragraph.", Assert.Single(chunks));
    }
}
