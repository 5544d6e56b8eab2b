using System.Net;
using System.Net.Sockets;

namespace AppHost;

/// <summary>
/// The gateway's port taken (most often by an AppHost already running) made a second start fail with about a hundred
/// lines of Kestrel's stack traces, twice, with no word of the likely cause. It is checked before anything starts.
/// </summary>
internal static class GatewayPortCheck
{
    /// <summary>What to tell the developer when the port is taken, or null when it is free.</summary>
    public static string? Taken(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return null;
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return $"The gateway's port {port} is already in use; is the platform already running (another `dotnet run --project AppHost`)? " +
                   $"Stop it, or start this one on other ports (README: Another port for the gateway).";
        }
    }
}
