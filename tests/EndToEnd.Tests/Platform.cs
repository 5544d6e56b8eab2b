using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>
/// The whole platform, started once for these tests by the AppHost exactly as `dotnet run --project AppHost` does,
/// with Redis. Tests share the running platform, never data: each registers its own user.
/// </summary>
public sealed class Platform : IAsyncLifetime
{
    private AppHostProcess? _apphost;

    public Uri Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Binaries.Require("redis-server", "apt-get install -y redis-server");
        // The hostile-input and authorization suites send far more than a person does; the limits have tests of their own.
        _apphost = AppHostProcess.Start(("Limits__UserRpm", "1000000"), ("Limits__AnonymousPerIpPerMinute", "1000000"));
        Gateway = new Uri($"http://127.0.0.1:{_apphost.GatewayPort}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Wait.UntilAsync(async () =>
            {
                using var response = await http.GetAsync(new Uri(Gateway, "/health"));
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(120), "the platform to be healthy");
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException(ex.Message + Environment.NewLine + _apphost.Log, ex);
        }
    }

    public async Task DisposeAsync()
    {
        if (_apphost is not null)
        {
            await _apphost.DisposeAsync();
        }
    }

    public HttpClient Anonymous() => new() { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Registers a fresh user, logs in, and returns a client that sends the access token.</summary>
    public async Task<(HttpClient Client, string AccessToken)> NewUserAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        const string password = "correct horse battery staple 42";
        using var anonymous = Anonymous();
        using var registered = await anonymous.PostAsJsonAsync("/auth/register", new { name, email, password });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        using var login = await anonymous.PostAsJsonAsync("/auth/login", new { email, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (client, token);
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<Platform>
{
    public const string Name = "platform";
}
