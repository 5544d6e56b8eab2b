using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TestInfrastructure;

/// <summary>
/// A loopback port that nothing listens on, for a server the test starts a moment later.
/// </summary>
/// <remarks>
/// The port comes from below the kernel's ephemeral range: a port the kernel hands out for port 0 can be handed out
/// again, to a proxy DCP starts or to the local side of any outgoing connection, between the pick and the bind (an
/// AppHost test once found its gateway's port taken by another service). Ports are never handed out twice per run.
/// </remarks>
public static class FreePort
{
    private const int Lowest = 10_000;
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    public static int Next()
    {
        var below = EphemeralRangeStart();
        for (var attempt = 0; below > Lowest && attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            if (HandedOut.TryAdd(port, true) && IsFree(port))
            {
                return port;
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
