using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AppHost.Tests;

/// <summary>The gateway as the AppHost runs it sees each client's own address, so limits per address are per client.</summary>
[Collection("AppHost")]
public sealed class GatewayDoorTests
{
    [Fact]
    public async Task OneAddressSpendingTheAnonymousLimitLeavesAnotherAddressFreeToLogIn()
    {
        await using var apphost = AppHostProcess.Start(("AppHost__Redis", "off"));
        await AppHostTests.WaitForHealthyGatewayAsync(apphost);
        var login = new Uri($"http://127.0.0.1:{apphost.GatewayPort}/auth/login");
        using var noisy = ClientFrom("127.0.0.1");
        using var other = ClientFrom("127.0.0.2");

        // Each guess at another account, so that only the address's limit is spent, not one account's failures.
        var statuses = new List<HttpStatusCode>();
        string? refusal = null;
        while (statuses.Count < 40 && !statuses.Contains(HttpStatusCode.TooManyRequests))
        {
            using var attempt = await noisy.PostAsync(login, WrongPassword($"nobody{statuses.Count}"));
            statuses.Add(attempt.StatusCode);
            refusal = await attempt.Content.ReadAsStringAsync();
        }
        using var fromElsewhere = await other.PostAsync(login, WrongPassword("nobody-else"));

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Contains("rate_limit_exceeded", refusal, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, fromElsewhere.StatusCode);
    }

    private static StringContent WrongPassword(string name) =>
        new($$"""{"email":"{{name}}@example.com","password":"not the right one"}""", Encoding.UTF8, "application/json");

    /// <summary>A client whose connections leave from <paramref name="address"/>, another loopback address.</summary>
    private static HttpClient ClientFrom(string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = TimeSpan.FromSeconds(30) };
}
