using System.Diagnostics;
using System.Text.Json;

namespace AppHost.Tests;

/// <summary>The Aspire manifest, which deploy/ is generated from, describes the whole platform.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task TheManifestPublisherWritesEveryServiceRedisPostgresAndTheirDatabasesWithoutASecret()
    {
        using var directory = TestDirectory.Create("manifest-");
        var output = Path.Combine(directory.Path, "aspire-manifest.json");
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        using var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["run", "--project", Path.Combine(root, "AppHost"), "--no-build", "--", "--publisher", "manifest", "--output-path", output])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var log = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(publish.ExitCode == 0, await log + await errors);
        var resources = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement.GetProperty("resources");
        string TypeOf(string name) => resources.GetProperty(name).GetProperty("type").GetString()!;
        foreach (var project in new[] { "gateway", "chat-service", "voice-service", "document-service", "intent-cache-service" })
        {
            Assert.Equal("project.v0", TypeOf(project));
        }
        Assert.Equal("executable.v0", TypeOf("cache"));
        Assert.Equal("executable.v0", TypeOf("postgres"));
        foreach (var database in new[] { "chatdb", "docsdb", "intentdb", "gatewaydb" })
        {
            Assert.Contains("Host={postgres.bindings.tcp.host}", resources.GetProperty(database).GetProperty("connectionString").GetString(), StringComparison.Ordinal);
        }
        // The signing key is a secret parameter the deployment supplies; nothing of this machine is written.
        Assert.Equal("parameter.v0", TypeOf("identity-signing-key"));
        var gateway = resources.GetProperty("gateway").GetProperty("env");
        Assert.Equal("{identity-signing-key.value}", gateway.GetProperty("Identity__SigningKey").GetString());
        Assert.False(gateway.TryGetProperty("ASPNETCORE_ENVIRONMENT", out _));
        Assert.False(resources.GetProperty("document-service").GetProperty("env").TryGetProperty("Documents__BlobDirectory", out _));
        Assert.Equal("/usr/lib/postgresql/15/bin/postgres", resources.GetProperty("postgres").GetProperty("command").GetString());
    }
}
