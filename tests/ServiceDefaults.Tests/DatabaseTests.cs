using ServiceDefaults.Data;

namespace ServiceDefaults.Tests;

public sealed class DatabaseTests
{
    [Fact]
    public void NoConnectionStringMeansASqliteFileUnderDotData()
    {
        using var directory = TestDirectory.Create("root-");
        var root = directory.Path;

        var target = DatabaseTarget.Resolve(null, "chatdb", root);

        Assert.Equal(DatabaseProvider.Sqlite, target.Provider);
        Assert.Contains(Path.Combine(root, ".data", "chatdb.db"), target.ConnectionString, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(root, ".data")));
    }

    [Fact]
    public void AConnectionStringOfNeitherKindIsRefusedWithItsName()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DatabaseTarget.Resolve("Server=x", "docsdb", "/tmp"));

        Assert.Contains("ConnectionStrings:docsdb", error.Message, StringComparison.Ordinal);
    }
}
