using System.Globalization;

namespace TestInfrastructure;

/// <summary>moto_server, the AWS API emulator, on a free loopback port.</summary>
public sealed class MotoServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly GuardedProcess _process;

    private MotoServer(GuardedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public static async Task<MotoServer> StartAsync()
    {
        var binary = Binaries.Require("moto_server", "pip install 'moto[server]'",
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv", "shims"));
        var port = FreePort.Next();
        var process = GuardedProcess.Start($"'{binary}' -H 127.0.0.1 -p {port.ToString(CultureInfo.InvariantCulture)}");
        var server = new MotoServer(process, port);
        try
        {
            await Wait.UntilAsync(async () =>
            {
                using var response = await Http.GetAsync(new Uri(server.Endpoint, "/moto-api/")).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(30), $"moto_server on port {port}").ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(ex.Message + Environment.NewLine + process.Output, ex);
        }
        return server;
    }

    /// <summary>Forgets every bucket, job and object.</summary>
    public async Task ResetAsync()
    {
        using var response = await Http.PostAsync(new Uri(Endpoint, "/moto-api/reset"), null).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
