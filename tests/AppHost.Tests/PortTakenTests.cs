using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AppHost.Tests;

/// <summary>A second start on a taken gateway port says so in one line, instead of Kestrel's stack traces.</summary>
[Collection("AppHost")]
public sealed class PortTakenTests
{
    [Fact]
    public async Task StartingOnAGatewayPortAlreadyInUseSaysSoInPlainWordsAndExitsWithoutAStackTrace()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        await using var apphost = AppHostProcess.Start(("AppHost__GatewayPort", port.ToString(CultureInfo.InvariantCulture)));

        Assert.True(await apphost.ExitedWithinAsync(TimeSpan.FromSeconds(90)), apphost.Log);
        Assert.Equal(1, apphost.ExitCode);
        Assert.Contains($"port {port} is already in use", apphost.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", apphost.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", apphost.Log, StringComparison.Ordinal);
    }
}
