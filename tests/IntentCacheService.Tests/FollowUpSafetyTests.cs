using IntentCacheService.Services.Classification;

namespace IntentCacheService.Tests;

/// <summary>A follow-up that leans on the thread must never be answered with what was cached for another question.</summary>
public sealed class FollowUpSafetyTests
{
    private const string Question = "How many vacation days do I get?";
    private const string Answer = "Full-time staff get 25 vacation days a year.";

    [Theory]
    [InlineData("and for part-timers?")]
    [InlineData("what about part-time staff?")]
    [InlineData("Is that the same for part-timers?")]
    [InlineData("for contractors?")]
    [InlineData("why?")]
    public async Task AFollowUpInAThreadMissesTheAnswerCachedForTheEarlierQuestion(string followUp)
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, Question, Answer);

        var lookup = await client.LookupAsync(assistant, followUp, "v1", Question);

        Assert.False(lookup.Hit);
        Assert.Null(lookup.Answer);
    }

    [Fact]
    public async Task AFollowUpsAnswerIsNeverStoredUnderItsWords()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();

        // The model answered the follow-up about part-timers; chat-service offers it to the cache.
        await client.StoreAsync(assistant, "and how many vacation days for part-timers?", "Part-timers get 12 days.", "v1", Question);
        var followUp = await client.LookupAsync(assistant, "and how many vacation days for part-timers?", "v1", Question);
        var standalone = await client.LookupAsync(assistant, Question);

        Assert.False(followUp.Hit);
        Assert.Equal("context_dependent", followUp.Reason);
        Assert.False(standalone.Hit);
        Assert.Equal("no_entry", standalone.Reason);
    }

    [Fact]
    public async Task AStandaloneQuestionLaterInAThreadStillHits()
    {
        await using var host = await IntentCacheHost.StartAsync();
        var (assistant, _, client) = await host.HrAssistantAsync();
        await client.StoreAsync(assistant, Question, Answer);

        var lookup = await client.LookupAsync(assistant, "How many days of holiday per year do employees get?", "v1", "How do I reset my password?");

        Assert.True(lookup.Hit);
        Assert.Equal(Answer, lookup.Answer);
    }

    [Theory]
    [InlineData("and for part-timers?", false, true)]
    [InlineData("What about contractors?", false, true)]
    [InlineData("in Germany?", false, true)]
    [InlineData("is it paid?", true, true)]
    [InlineData("is it paid?", false, false)]
    [InlineData("how long?", true, true)]
    [InlineData("How many sick days do we get?", true, false)]
    [InlineData("Can I work from home on Fridays?", true, false)]
    public void TheDetectorTellsFollowUpsFromStandaloneQuestions(string text, bool withContext, bool dependent)
    {
        var context = withContext ? new[] { "How many vacation days do I get?" } : [];

        var reason = FollowUpDetector.DependsOnThread(text, context);

        Assert.Equal(dependent, reason is not null);
    }
}
