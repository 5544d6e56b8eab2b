using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TestInfrastructure.Tests;

public sealed class FreePortTests
{
    [Fact]
    public void PortsComeFromBelowTheEphemeralRangeFreeAndNeverTwice()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 200).Select(_ => FreePort.Next()).ToList();

        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1));
        Assert.Equal(ports.Count, ports.Distinct().Count());
        using var listener = new TcpListener(IPAddress.Loopback, ports[^1]);
        listener.Start();
    }
}
