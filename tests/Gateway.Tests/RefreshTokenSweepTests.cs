using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Model;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests;

/// <summary>Refresh tokens do not pile up: each goes an access token's lifetime after it expired, and live ones stay.</summary>
public sealed class RefreshTokenSweepTests
{
    [Fact]
    public async Task AnExpiredRefreshTokenIsRemovedOnceNoAccessTokenOfItsSessionLivesAndALiveOneStays()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var backends = await Backends.StartAsync();
        await using var factory = GatewayHost.StartLazy(backends.Addresses);
        await using var gateway = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var client = gateway.CreateClient();
        const string email = "sweep@example.com", password = "correct horse battery 42";
        (await client.PostAsJsonAsync("/auth/register", new { name = "Sweep", email, password })).EnsureSuccessStatusCode();
        async Task<string> LoginAsync() =>
            (await (await client.PostAsJsonAsync("/auth/login", new { email, password })).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("refresh_token").GetString()!;
        var sweeper = gateway.Services.GetRequiredService<RefreshTokenSweeper>();
        async Task<int> RowsAsync()
        {
            using var scope = gateway.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().RefreshTokens.CountAsync();
        }

        await LoginAsync();
        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(5));
        await sweeper.SweepAsync(CancellationToken.None);
        var afterExpiry = await RowsAsync();
        var live = await LoginAsync();
        clock.Advance(TimeSpan.FromMinutes(15));
        await sweeper.SweepAsync(CancellationToken.None);
        var afterAccessLifetime = await RowsAsync();
        using var refreshed = await client.PostAsJsonAsync("/auth/refresh", new { refresh_token = live });

        // Expired five minutes ago: an access token issued with it may still be in use, so its session must stay known.
        Assert.Equal(1, afterExpiry);
        Assert.Equal(1, afterAccessLifetime);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }
}
