using ChatService.Services;
using ServiceDefaults.Discovery;

namespace ChatService.Tests;

/// <summary>A user's message as a search query: whole when it fits, else its end, which is words and whole characters.</summary>
public sealed class SearchQueryTests
{
    private const string Question = "How many vacation days do we get?";

    [Fact]
    public void ALongMessageIsSearchedByItsEndWhereTheQuestionIsEvenWhenBlanksFollowIt()
    {
        var pasted = string.Concat(Enumerable.Repeat("Pasted text. ", 1000)) + Question + new string(' ', 9000);

        var query = SearchQuery.Of(pasted);

        Assert.EndsWith(Question, query, StringComparison.Ordinal);
        Assert.Equal(SiblingLimits.MaxSearchQueryLength, query.Length);
    }

    [Fact]
    public void ACutThroughACharacterOutsideTheBasicPlaneDropsItsHalf()
    {
        // "😀" is two UTF-16 units: the cut falls between them.
        var message = "😀" + new string('a', SiblingLimits.MaxSearchQueryLength - 1);

        var query = SearchQuery.Of(message);

        Assert.False(char.IsLowSurrogate(query[0]));
        Assert.Equal(SiblingLimits.MaxSearchQueryLength - 1, query.Length);
    }
}
