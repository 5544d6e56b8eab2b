using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace Faults.Tests;

public sealed class PostgresRestartTests(ITestOutputHelper output)
{
    private const string Bin = "/usr/lib/postgresql/15/bin";

    [Fact]
    public async Task EveryWriteAcknowledgedWhilePostgresRestartsIsKeptAndTheRestAre503sNotErrorsOrHangs()
    {
        var port = FreePort.Next();
        using var directory = TestDirectory.Create("faults-pg-");
        var dir = directory.Path;
        await RunAsync("chown", "postgres:postgres", dir);
        await RunAsync("runuser", "-u", "postgres", "--", $"{Bin}/initdb", "-D", $"{dir}/data", "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        // fsync stays on: what is acknowledged must survive the restart.
        await using var postgres = new KillableProcess(
            $"{Bin}/postgres -D '{dir}/data' -c listen_addresses=127.0.0.1 -p {port} -k '{dir}'", runAsUser: "postgres", stopSignal: "INT");
        var admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        await postgres.StartAsync();
        await Wait.UntilAsync(() => CanConnectAsync(admin), TimeSpan.FromSeconds(20), "PostgreSQL");
        var chatDb = $"Host=127.0.0.1;Port={port};Username=postgres;Database=chat";
        await using var platform = await Platform.StartAsync(databases: new Dictionary<string, string> { ["chatdb"] = chatDb });
        using var user = await platform.NewUserAsync("writer");

        var acknowledged = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<int>();
        var slowest = new ConcurrentBag<TimeSpan>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var watch = Stopwatch.StartNew();
                // Threads: uncapped, where a user's assistants stop at a thousand and these writers make a few thousand.
                using var response = await user.PostAsJsonAsync("/v1/threads", new { metadata = new { writer = $"w{w}-{i}" } });
                slowest.Add(watch.Elapsed);
                if (response.IsSuccessStatusCode)
                {
                    acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
                }
                else
                {
                    failures.Add((int)response.StatusCode);
                    await Task.Delay(10);
                }
            }
        })).ToList();

        await Task.Delay(1000);
        var beforeRestart = acknowledged.Count;
        await postgres.StopAsync();
        await Task.Delay(500);
        await postgres.StartAsync();
        await Wait.UntilAsync(() => CanConnectAsync(admin), TimeSpan.FromSeconds(20), "PostgreSQL after its restart");
        var restarted = acknowledged.Count;
        await Task.Delay(1500);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var kept = await CountAsync($"{chatDb};Pooling=false", [.. acknowledged]);
        output.WriteLine($"writes: {acknowledged.Count} acknowledged ({beforeRestart} before the restart, {acknowledged.Count - restarted} after), " +
            $"{kept} of them found afterwards; refused: {string.Join(", ", failures.GroupBy(s => s).Select(g => $"{g.Key}x{g.Count()}"))}; " +
            $"slowest answer {slowest.Max().TotalMilliseconds:F0} ms");
        Assert.Equal(acknowledged.Count, kept);
        Assert.NotEmpty(failures);
        Assert.All(failures, s => Assert.Equal(503, s));
        Assert.True(acknowledged.Count > restarted, "writes were acknowledged again after the restart");
        Assert.True(slowest.Max() < TimeSpan.FromSeconds(5), $"a write took {slowest.Max().TotalMilliseconds:F0} ms");
    }

    private static async Task<long> CountAsync(string connectionString, string[] ids)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM \"Threads\" WHERE \"Id\" = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> CanConnectAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return true;
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(file, args);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode.ToString(CultureInfo.InvariantCulture)}");
    }
}
