using VoiceService.Services.Answers;

namespace VoiceService.Tests;

public sealed class SentenceSplitterTests
{
    private static List<string> SplitStreamed(string text, int maxChars = 220)
    {
        var splitter = new SentenceSplitter(maxChars);
        var sentences = new List<string>();
        // Word by word with the leading space, as a model's tokens arrive.
        foreach (var token in ScriptedSiblings.Tokens(text))
        {
            sentences.AddRange(splitter.Push(token));
        }
        sentences.AddRange(splitter.Flush());
        return sentences;
    }

    [Fact]
    public void AbbreviationsAndInitialsDoNotEndASentence()
    {
        var sentences = SplitStreamed("Dr. Smith met Mrs. Jones at 5 p.m. on Friday. J. R. Tolkien wrote books, e.g. The Hobbit. Bring pens, paper, etc. Then sign in.");

        Assert.Equal(
            ["Dr. Smith met Mrs. Jones at 5 p.m. on Friday.", "J. R. Tolkien wrote books, e.g. The Hobbit.", "Bring pens, paper, etc.", "Then sign in."],
            sentences);
    }

    [Fact]
    public void DecimalsAndAddressesStayInsideTheirSentence()
    {
        var sentences = SplitStreamed("The rate is 3.5 percent. Version 2.0.1 is on example.com today! Is it 10.25? Yes.");

        Assert.Equal(["The rate is 3.5 percent.", "Version 2.0.1 is on example.com today!", "Is it 10.25?", "Yes."], sentences);
    }

    [Fact]
    public void ListItemsAreSpokenOneByOneAndTheirNumbersDoNotSplitThem()
    {
        var sentences = SplitStreamed("To apply:\n1. Open the form\n2. Fill in your dates.\n- Send it to HR\n\nDone in 2023. Thanks.");

        Assert.Equal(["To apply:", "1. Open the form", "2. Fill in your dates.", "- Send it to HR", "Done in 2023.", "Thanks."], sentences);
    }

    [Fact]
    public void ARunOnSentenceIsCutAtAClauseOrWordBoundaryWithinTheCap()
    {
        var runOn = string.Join(", ", Enumerable.Range(1, 30).Select(i => $"item number {i} goes here")) + " and that is all";

        var sentences = SplitStreamed(runOn, maxChars: 80);

        Assert.True(sentences.Count > 5);
        Assert.All(sentences, s => Assert.InRange(s.Length, 1, 80));
        Assert.All(sentences[..^1], s => Assert.EndsWith(",", s));
        Assert.Equal(runOn, string.Join(" ", sentences));
    }

    [Fact]
    public void AQuestionOrAFullStopAfterAWordEndsTheSentenceWithoutWaitingForMoreText()
    {
        var splitter = new SentenceSplitter(220);

        var afterQuestion = splitter.Push("Can I work from home?");
        var afterStop = splitter.Push(" Yes, on Fridays.");
        var afterNumber = splitter.Push(" The limit is 3.");

        Assert.Equal(["Can I work from home?"], afterQuestion);
        Assert.Equal(["Yes, on Fridays."], afterStop);
        Assert.Empty(afterNumber); // "3." may still become "3.5": wait for the next text.
        Assert.Equal(["The limit is 3."], splitter.Flush());
    }

    [Fact]
    public void QuotesAndBracketsAfterTheStopBelongToTheSentence()
    {
        var sentences = SplitStreamed("He said \"go home.\" (That was it.) Then left.");

        Assert.Equal(["He said \"go home.\"", "(That was it.)", "Then left."], sentences);
    }

    [Fact]
    public void NumbersStreamedDigitByDigitStayWhole()
    {
        var splitter = new SentenceSplitter(220);
        var sentences = new List<string>();
        foreach (var c in "It costs 12.50 euros. Pay 3.")
        {
            sentences.AddRange(splitter.Push(c.ToString()));
        }
        sentences.AddRange(splitter.Flush());

        Assert.Equal(["It costs 12.50 euros.", "Pay 3."], sentences);
    }

    [Fact]
    public void TheFirstPieceMayEndAtACommaOnceLongEnoughAndLaterOnesMayNot()
    {
        var splitter = new SentenceSplitter(220, firstClauseChars: 20);
        var sentences = new List<string>();
        foreach (var token in ScriptedSiblings.Tokens("Yes, you get 25 days, 1,000 euros, and a bonus. Later, days carry over, until March."))
        {
            sentences.AddRange(splitter.Push(token));
        }
        sentences.AddRange(splitter.Flush());

        Assert.Equal(["Yes, you get 25 days,", "1,000 euros, and a bonus.", "Later, days carry over, until March."], sentences);
    }

    [Fact]
    public void MarkdownIsStrippedFromWhatIsSpoken()
    {
        Assert.Equal("Read the policy now.", SentenceSplitter.Speakable("- **Read** the [policy](https://x.example/p) `now`."));
    }
}
