namespace AppHost.Tests;

/// <summary>
/// A setting the AppHost cannot honour stops the start with one line naming it: nothing is quietly replaced (a
/// PostgreSQL asked for ran as SQLite before), and a bad port is no longer a crash with a stack trace.
/// </summary>
[Collection("AppHost")]
public sealed class SettingProblemTests
{
    [Theory]
    [InlineData("AppHost__GatewayPort=70000", "AppHost:GatewayPort must be a port number from 1 to 65535 (it is '70000').")]
    [InlineData("AppHost__Postgres=yes", "AppHost:Postgres must be on or off (it is 'yes').")]
    [InlineData("AppHost__Postgres=on;AppHost__PostgresBin=/nonexistent", "AppHost:Postgres is on, but /nonexistent/postgres does not exist")]
    public async Task ASettingTheAppHostCannotHonourStopsTheStartWithALineNamingIt(string settings, string said)
    {
        var pairs = settings.Split(';').Select(s => s.Split('=', 2)).Select(p => (p[0], p[1])).ToArray();

        await using var apphost = AppHostProcess.Start(pairs);

        Assert.True(await apphost.ExitedWithinAsync(TimeSpan.FromSeconds(90)), apphost.Log);
        Assert.Equal(1, apphost.ExitCode);
        Assert.Contains(said, apphost.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", apphost.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(apphost.DataDirectory, "chatdb.db")), "nothing started on SQLite instead");
    }

    [Fact]
    public async Task AServiceThatStopsOnABadSettingIsNamedOnTheAppHostsConsoleWithItsReason()
    {
        await using var apphost = AppHostProcess.Start(("Chat__ProviderRetries", "-3"));

        await Wait.UntilAsync(() => Task.FromResult(apphost.Log.Contains("chat-service stopped (exit code", StringComparison.Ordinal)),
            TimeSpan.FromMinutes(2), "the AppHost to say chat-service stopped");

        var said = apphost.Log.Split('\n').First(l => l.Contains("chat-service stopped", StringComparison.Ordinal));
        Assert.Contains("The field ProviderRetries must be between 0 and 10.", said, StringComparison.Ordinal);
    }
}
