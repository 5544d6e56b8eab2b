using ServiceDefaults.Tokens;

namespace ServiceDefaults.Tests;

/// <summary>Token counts by OpenAI's encodings, shipped in packages, rather than four characters a token.</summary>
public sealed class TokenCounterTests
{
    [Fact]
    public void CountsAreThoseOfOpenAIsEncodingsNotFourCharactersAToken()
    {
        Assert.Equal(0, TokenCounter.Count(""));
        Assert.Equal(2, TokenCounter.Count("hello world"));
        Assert.Equal(2, TokenCounter.Count("hello world", "gpt-4"));
        // Digits, punctuation and non-English text are where four characters a token is furthest off.
        var japanese = "従業員は年間27日の有給休暇を取得できます。";
        Assert.NotEqual((japanese.Length + 3) / 4, TokenCounter.Count(japanese));
    }

    [Fact]
    public void GptFourAndThreeFiveUseCl100kAndNewerOrUnknownModelsO200k()
    {
        var text = "従業員は年間27日の有給休暇を取得できます。";
        var o200k = TokenCounter.Count(text, "gpt-4o-mini");

        Assert.NotEqual(o200k, TokenCounter.Count(text, "gpt-4"));
        Assert.Equal(TokenCounter.Count(text, "gpt-4"), TokenCounter.Count(text, "gpt-3.5-turbo"));
        Assert.Equal(o200k, TokenCounter.Count(text, "llama-3.1-8b"));
        Assert.Equal(o200k, TokenCounter.Count(text));
    }
}
