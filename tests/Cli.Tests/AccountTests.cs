using System.Text.Json;

namespace Cli.Tests;

[Collection(PlatformCollection.Name)]
public sealed class AccountTests(Platform platform) : IDisposable
{
    private readonly Chatbot _chatbot = new(platform);

    [Fact]
    public async Task LoginKeepsTheSessionInAnOwnerOnlyFileAndLogoutForgetsIt()
    {
        var email = await _chatbot.LoginAsNewUserAsync("dana");

        var me = await _chatbot.RunAsync("whoami");
        var mode = File.GetUnixFileMode(_chatbot.CredentialsFile);
        var folderMode = File.GetUnixFileMode(Path.GetDirectoryName(_chatbot.CredentialsFile)!);
        var logout = await _chatbot.RunAsync("logout");
        var afterwards = await _chatbot.RunAsync("whoami");

        Assert.Equal(0, me.ExitCode);
        Assert.Contains($"<{email}>", me.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, folderMode);
        Assert.Equal(0, logout.ExitCode);
        Assert.Equal(ExitCodes.Unauthorized, afterwards.ExitCode);
        Assert.Contains("Not logged in", afterwards.Error, StringComparison.Ordinal);
        Assert.Equal("", afterwards.Output);
    }

    [Fact]
    public async Task AWrongPasswordIsRefusedInWordsWithTheUnauthorizedExitCode()
    {
        var email = await _chatbot.RegisterAsync("eli");

        var login = await _chatbot.RunWithInputAsync("not the password\n", "login", "--email", email, "--password-stdin");

        Assert.True(login.ExitCode == ExitCodes.Unauthorized, login.ToString());
        Assert.Contains("email or password is wrong", login.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", login.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_chatbot.CredentialsFile));
    }

    [Fact]
    public async Task WithoutATerminalToAskOnLoginSaysWhichOptionGivesThePassword()
    {
        var login = await _chatbot.RunWithInputAsync(Chatbot.Password + "\n", "login", "--email", "eve@example.com");

        Assert.True(login.ExitCode == ExitCodes.Usage, login.ToString());
        Assert.Equal("error: No terminal to ask for the password on: pipe it in with --password-stdin.", login.Error.Trim());
        Assert.False(File.Exists(_chatbot.CredentialsFile));
    }

    [Fact]
    public async Task AnAccessTokenAboutToExpireIsRefreshedAndTheRotatedPairIsStored()
    {
        await _chatbot.LoginAsNewUserAsync("fay");
        var before = Session();

        _chatbot.Clock.Advance(TimeSpan.FromDays(1));
        var me = await _chatbot.RunAsync("whoami");
        var after = Session();

        Assert.True(me.ExitCode == 0, me.ToString());
        Assert.NotEqual(before.GetProperty("refresh_token").GetString(), after.GetProperty("refresh_token").GetString());
        Assert.NotEqual(before.GetProperty("access_token").GetString(), after.GetProperty("access_token").GetString());
    }

    [Fact]
    public async Task AnAccessTokenTheGatewayRefusesIsRefreshedOnceAndTheCommandStillAnswers()
    {
        await _chatbot.LoginAsNewUserAsync("gus");
        File.WriteAllText(_chatbot.CredentialsFile, File.ReadAllText(_chatbot.CredentialsFile)
            .Replace(Session().GetProperty("access_token").GetString()!, "not-a-token", StringComparison.Ordinal));

        var me = await _chatbot.RunAsync("whoami");

        Assert.True(me.ExitCode == 0, me.ToString());
        Assert.NotEqual("not-a-token", Session().GetProperty("access_token").GetString());
    }

    [Fact]
    public async Task AnUnreachableGatewayIsSaidInWordsWithItsOwnExitCode()
    {
        _chatbot["CHATBOT_API_KEY"] = "any";

        var list = await _chatbot.RunAsync("--url", $"http://127.0.0.1:{FreePort.Next()}", "assistants", "list");

        Assert.Equal(ExitCodes.Unreachable, list.ExitCode);
        Assert.Contains("Cannot reach the gateway at http://127.0.0.1:", list.Error, StringComparison.Ordinal);
        Assert.Equal("", list.Output);
    }

    [Fact]
    public async Task AKeyScopedToOneAssistantWorksFromTheEnvironmentUntilItIsRevoked()
    {
        await _chatbot.LoginAsNewUserAsync("hal");
        var allowed = await _chatbot.CreateAssistantAsync("Scoped bot");
        await _chatbot.CreateAssistantAsync("Other bot");
        var created = await _chatbot.RunAsync("keys", "create", "--name", "ci", "--assistant", "Scoped bot");
        var key = created.Output.Trim();
        var listed = await _chatbot.RunAsync("keys", "list", "--json");
        var keyId = JsonDocument.Parse(listed.Output).RootElement[0].GetProperty("id").GetString()!;

        _chatbot["CHATBOT_API_KEY"] = key;
        var seen = await _chatbot.RunAsync("assistants", "list", "--json");
        _chatbot["CHATBOT_API_KEY"] = null;
        var revoked = await _chatbot.RunAsync("keys", "revoke", keyId);
        _chatbot["CHATBOT_API_KEY"] = key;
        var refused = await _chatbot.RunAsync("assistants", "list");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.StartsWith(JsonDocument.Parse(listed.Output).RootElement[0].GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);
        Assert.Equal([allowed], JsonDocument.Parse(seen.Output).RootElement.EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal(ExitCodes.Unauthorized, refused.ExitCode);
    }

    [Fact]
    public async Task ARateLimitedKeyIsToldHowLongToWait()
    {
        await _chatbot.LoginAsNewUserAsync("ida");
        var created = await _chatbot.RunAsync("keys", "create", "--name", "limited", "--rpm", "1");
        Assert.True(created.ExitCode == 0, created.ToString());
        _chatbot["CHATBOT_API_KEY"] = created.Output.Trim();

        var first = await _chatbot.RunAsync("assistants", "list");
        var second = await _chatbot.RunAsync("assistants", "list");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == ExitCodes.RateLimited, second.ToString());
        // Said once: the gateway's message names the wait, so the CLI adds no second "try again".
        Assert.Matches(@"Rate limited: API key request limit of 1 per minute reached; retry after \d+ s\.", second.Error);
        Assert.DoesNotContain("Try again", second.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyLimitTheGatewayRefusesIsAUsageErrorWithTheFieldsOwnMessage()
    {
        await _chatbot.LoginAsNewUserAsync("kit");

        var created = await _chatbot.RunAsync("keys", "create", "--name", "none", "--rpm", "0");

        Assert.Equal(ExitCodes.Usage, created.ExitCode);
        Assert.Equal("error: The rpm limit must be positive.", created.Error.Trim());
    }

    [Fact]
    public async Task WhoAmIWithAnApiKeySaysItIsAKeyAndWhichAssistantsItCanUse()
    {
        await _chatbot.LoginAsNewUserAsync("lee");
        var allowed = await _chatbot.CreateAssistantAsync("Front desk");
        var key = (await _chatbot.RunAsync("keys", "create", "--name", "desk", "--assistant", allowed)).Output.Trim();

        _chatbot["CHATBOT_API_KEY"] = key;
        var me = await _chatbot.RunAsync("whoami");

        Assert.True(me.ExitCode == 0, me.ToString());
        Assert.Equal($"API key {key[..10]}… (CHATBOT_API_KEY); it can use Front desk ({allowed})", me.Output.Trim());
    }

    [Fact]
    public async Task TheOpenAiStyleBaseUrlEndingInV1NamesTheSameGateway()
    {
        await _chatbot.LoginAsNewUserAsync("max");

        var me = await _chatbot.RunAsync("--url", new Uri(platform.Gateway, "v1").ToString(), "whoami");

        Assert.True(me.ExitCode == 0, me.ToString());
    }

    [Fact]
    public async Task EveryKeyIsListedOldestFirstHoweverManyPagesTheyFill()
    {
        await _chatbot.LoginAsNewUserAsync("jo");
        for (var i = 0; i < 101; i++)
        {
            var created = await _chatbot.RunAsync("keys", "create", "--name", $"key {i}");
            Assert.True(created.ExitCode == 0, created.ToString());
        }

        var listed = await _chatbot.RunAsync("keys", "list", "--json");

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(Enumerable.Range(0, 101).Select(i => $"key {i}"),
            JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().Select(k => k.GetProperty("name").GetString()));
    }

    private JsonElement Session() =>
        JsonDocument.Parse(File.ReadAllText(_chatbot.CredentialsFile)).RootElement.GetProperty(platform.Gateway.GetLeftPart(UriPartial.Authority));

    public void Dispose() => _chatbot.Dispose();
}
