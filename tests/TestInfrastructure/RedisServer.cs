using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace TestInfrastructure;

/// <summary>A real redis-server on a free loopback port in a temp dir, which goes when the server stops.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Logical databases the server offers: enough for one per test that needs keys nobody else writes.</summary>
    private const int Databases = 4096;

    private readonly GuardedProcess _process;
    private int _lastDatabase;

    private RedisServer(GuardedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The value for ConnectionStrings:cache.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>
    /// A ConnectionStrings:cache value on a logical database no other caller of this method gets: for tests whose keys
    /// are not unique by themselves (the gateway's per-IP limit of anonymous requests is one key for all of 127.0.0.1).
    /// </summary>
    public string ConnectionStringOfNewDatabase()
    {
        var database = Interlocked.Increment(ref _lastDatabase);
        return database < Databases
            ? string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},defaultDatabase={database}")
            : throw new InvalidOperationException($"redis-server on port {Port} has no more than {Databases} databases.");
    }

    public static async Task<RedisServer> StartAsync()
    {
        var binary = Binaries.Require("redis-server", "apt-get install -y redis-server");
        var dir = TestDirectory.Create("redis-test-").Path;
        var port = FreePort.Next();
        var p = port.ToString(CultureInfo.InvariantCulture);
        var process = GuardedProcess.Start(
            $"'{binary}' --bind 127.0.0.1 --port {p} --dir '{dir}' --appendonly yes --appendfsync always --save '' --databases {Databases} --daemonize no",
            workingDirectory: dir, removeWhenStopped: dir);
        var server = new RedisServer(process, port);
        try
        {
            await Wait.UntilAsync(server.PingAsync, TimeSpan.FromSeconds(15), $"redis-server on port {port}").ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(ex.Message + Environment.NewLine + process.Output, ex);
        }
        return server;
    }

    public async Task<bool> PingAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray()).ConfigureAwait(false);
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    public Task StopAsync() => _process.StopAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
