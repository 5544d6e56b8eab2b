using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace TestInfrastructure;

/// <summary>
/// A real PostgreSQL 15 cluster on a free loopback port in a temp dir (which goes when the server stops), run as the
/// postgres user (it refuses root).
/// Each test asks for its own database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private readonly GuardedProcess _process;
    private int _databases;

    private PostgresServer(GuardedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string AdminConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public static async Task<PostgresServer> StartAsync()
    {
        var postgres = Binaries.Require("postgres", "apt-get install -y postgresql-15", BinDir);
        var initdb = Path.Combine(Path.GetDirectoryName(postgres)!, "initdb");
        var dir = TestDirectory.Create("pg-test-").Path;
        await RunAsync("chown", "postgres:postgres", dir).ConfigureAwait(false);

        var data = Path.Combine(dir, "data");
        await RunAsync("runuser", "-u", "postgres", "--", initdb, "-D", data, "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").ConfigureAwait(false);

        var port = FreePort.Next();
        var p = port.ToString(CultureInfo.InvariantCulture);
        var process = GuardedProcess.Start(
            $"'{postgres}' -D '{data}' -c listen_addresses=127.0.0.1 -p {p} -k '{dir}' -c fsync=off -c full_page_writes=off -c max_connections=300",
            stopSignal: "INT", runAsUser: "postgres", workingDirectory: dir, removeWhenStopped: dir);
        var server = new PostgresServer(process, port);
        try
        {
            await Wait.UntilAsync(async () =>
            {
                await using var connection = new NpgsqlConnection(server.AdminConnectionString);
                await connection.OpenAsync().ConfigureAwait(false);
                return true;
            }, TimeSpan.FromSeconds(30), $"PostgreSQL on port {port}").ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(ex.Message + Environment.NewLine + process.Output, ex);
        }
        return server;
    }

    /// <summary>A fresh, empty database of the test's own; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}".ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    /// <summary>A connection string for a database that does not exist yet (EnsureCreated makes it).</summary>
    public string NewDatabaseConnectionString(string prefix = "test") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={prefix}_{Guid.NewGuid():N}";

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
        }
    }
}
