namespace IntentCacheService.Tests;

/// <summary>
/// An intent names what a question is about, not the numbers it names or whether it negates: an answer written for
/// one wording is served to a paraphrase only when those agree.
/// </summary>
public sealed class QuestionDetailsTests
{
    private const string Answer = "After 5 years of service you get 28 vacation days a year.";

    [Fact]
    public async Task AParaphraseNamingOtherNumbersOrNegatingMissesTheAnswerWrittenForTheFirstWording()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, "How many vacation days do I get after 5 years?", Answer);

        var paraphrase = await client.LookupAsync(assistant, "how many days of holiday do I get after 5 years");
        var otherNumber = await client.LookupAsync(assistant, "how many days of holiday do I get after 10 years");
        var negated = await client.LookupAsync(assistant, "how many days of holiday don't I get after 5 years");

        Assert.True(paraphrase.Hit, paraphrase.Reason);
        Assert.Equal(Answer, paraphrase.Answer);
        Assert.False(otherNumber.Hit);
        Assert.Equal("different_details", otherNumber.Reason);
        Assert.Equal("vacation_policy", otherNumber.Intent);
        Assert.False(negated.Hit);
        Assert.Equal("different_details", negated.Reason);
    }
}
