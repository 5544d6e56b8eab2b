using Cli.Gateway;

namespace Cli.Tests;

public sealed class TokenStoreTests : IDisposable
{
    private readonly string _config = TestDirectory.Create("chatbot-tokens-").Path;

    [Fact]
    public void SessionsAreKeptPerGatewayInTheXdgConfigDirectory()
    {
        var store = TokenStore.ForUser(name => name == "XDG_CONFIG_HOME" ? _config : null);
        var first = new StoredSession("a1", "r1", DateTimeOffset.UnixEpoch);
        var second = new StoredSession("a2", "r2", DateTimeOffset.UnixEpoch);

        store.Save(new Uri("http://one:8080/"), first);
        store.Save(new Uri("http://two:8080/"), second);
        var removed = store.Remove(new Uri("http://one:8080/"));

        Assert.Equal(Path.Combine(_config, "chatbot", "credentials.json"), store.FilePath);
        Assert.True(removed);
        Assert.Null(store.Get(new Uri("http://one:8080/")));
        Assert.Equal(second, store.Get(new Uri("http://two:8080/")));
    }

    [Fact]
    public void WithoutXdgConfigHomeTheFileGoesUnderHomeDotConfig()
    {
        var store = TokenStore.ForUser(name => name == "HOME" ? _config : null);

        Assert.Equal(Path.Combine(_config, ".config", "chatbot", "credentials.json"), store.FilePath);
    }

    [Fact]
    public void ACredentialsFileLeftReadableByOthersIsOwnerOnlyAgainAfterTheNextWrite()
    {
        var store = TokenStore.ForUser(name => name == "XDG_CONFIG_HOME" ? _config : null);
        store.Save(new Uri("http://one:8080/"), new StoredSession("a1", "r1", DateTimeOffset.UnixEpoch));
        File.SetUnixFileMode(store.FilePath, (UnixFileMode)0b110_100_100);

        store.Save(new Uri("http://one:8080/"), new StoredSession("a2", "r2", DateTimeOffset.UnixEpoch));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
    }

    [Fact]
    public void ACorruptCredentialsFileIsSaidInWords()
    {
        var store = TokenStore.ForUser(name => name == "XDG_CONFIG_HOME" ? _config : null);
        Directory.CreateDirectory(Path.GetDirectoryName(store.FilePath)!);
        File.WriteAllText(store.FilePath, "{ not json");

        var error = Assert.Throws<CliException>(() => store.Get(new Uri("http://one:8080/")));

        Assert.Contains("is not valid JSON; delete it and log in again", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => TestDirectory.Delete(_config);
}
