using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;

namespace ServiceDefaults.Tests;

/// <summary>
/// A SQLite file another process keeps locked (a backup, the sqlite3 shell, a second replica on the same volume) is a
/// store that is busy right now, not a bug of ours: the writer that waited out its busy timeout gets a 503 with
/// Retry-After, as a PostgreSQL restart does.
/// </summary>
public sealed class StoreBusyTests : IDisposable
{
    private readonly TestDirectory _directory = TestDirectory.Create("busy-");

    [Theory]
    [InlineData("/api/notes")]
    [InlineData("/v1/notes")]
    public async Task AWriteThatWaitedOutAnotherProcesssLockIsA503WithRetryAfter(string route)
    {
        var file = Path.Combine(_directory.Path, "notes.db");
        await using var holder = new SqliteConnection($"Data Source={file};Pooling=False");
        await holder.OpenAsync();
        await Execute(holder, "CREATE TABLE Notes (Text TEXT); BEGIN IMMEDIATE; INSERT INTO Notes VALUES ('held');");
        await using var host = await TestHost.StartAsync(map: app => app.MapPost(route, async () =>
        {
            await using var writer = new SqliteConnection($"Data Source={file};Pooling=False;Default Timeout=1");
            await writer.OpenAsync();
            await Execute(writer, "INSERT INTO Notes VALUES ('new');");
            return TypedResults.Created();
        }));

        using var response = await host.CreateClient().PostAsync(new Uri(route, UriKind.Relative), content: null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.DoesNotContain("locked", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(file, body, StringComparison.Ordinal);
        var root = JsonDocument.Parse(body).RootElement;
        var code = route.StartsWith("/v1", StringComparison.Ordinal)
            ? root.GetProperty("error").GetProperty("code").GetString()
            : root.GetProperty("code").GetString();
        Assert.Equal("service_unavailable", code);
    }

    [Fact]
    public async Task AWriteThatBreaksAConstraintIsAnErrorOfOursNotABusyStore()
    {
        var file = Path.Combine(_directory.Path, "unique.db");
        await using var host = await TestHost.StartAsync(map: app => app.MapPost("/api/unique", async () =>
        {
            await using var writer = new SqliteConnection($"Data Source={file};Pooling=False");
            await writer.OpenAsync();
            await Execute(writer, "CREATE TABLE IF NOT EXISTS Names (Name TEXT UNIQUE); INSERT INTO Names VALUES ('same');");
            return TypedResults.Created();
        }));
        using var client = host.CreateClient();
        using var first = await client.PostAsync(new Uri("/api/unique", UriKind.Relative), content: null);

        using var second = await client.PostAsync(new Uri("/api/unique", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
    }

    public void Dispose() => _directory.Dispose();

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
