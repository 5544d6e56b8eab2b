using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// The platform with two tenants: the victim, whose data must come out of every attack unchanged, and the attacker,
/// whose own ids let hostile bodies reach the services' parsing. Built once per platform for the hostile-input tests.
/// </summary>
public sealed class HostileWorld
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Platform, Task<HostileWorld>> Worlds = new();

    private HostileWorld(Platform platform) => Platform = platform;

    public static Task<HostileWorld> ForAsync(Platform platform) =>
        Worlds.GetValue(platform, p => CreateAsync(new HostileWorld(p)));

    private static async Task<HostileWorld> CreateAsync(HostileWorld world)
    {
        await world.InitializeAsync();
        return world;
    }

    public Platform Platform { get; }
    public Tenant Victim { get; private set; } = null!;
    public Tenant Attacker { get; private set; } = null!;
    public IReadOnlyList<Operation> Operations { get; private set; } = [];
    private string _victimBefore = "";

    private async Task InitializeAsync()
    {
        Victim = await Tenant.CreateAsync(Platform, "victim");
        Attacker = await Tenant.CreateAsync(Platform, "attacker");
        _victimBefore = await Victim.SnapshotAsync();
        using var anonymous = Platform.Anonymous();
        Operations = await Operation.ReadAllAsync(anonymous);
    }

    /// <summary>Every service still healthy, and nothing of the victim's changed.</summary>
    public async Task AssertPlatformIntactAsync()
    {
        using var anonymous = Platform.Anonymous();
        using var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative));
        var report = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var check in report.GetProperty("checks").EnumerateObject())
        {
            Assert.NotEqual("Unhealthy", check.Value.GetProperty("status").GetString());
        }
        Assert.Equal(_victimBefore, await Victim.SnapshotAsync());
    }

    public HttpClient Client(Tenant tenant)
    {
        var client = Platform.Anonymous();
        client.Timeout = TimeSpan.FromSeconds(30);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.AccessToken);
        return client;
    }
}
