using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests.Authorization;

/// <summary>
/// The six callers of the matrix: nobody, the owner's session, another user's session, the owner's API key scoped to
/// the resource's assistant, the owner's key scoped to the owner's other assistant, and another user's key.
/// </summary>
public sealed class Callers
{
    public const string Anonymous = "anonymous";
    public const string Owner = "owner";
    public const string OtherUser = "another user";
    public const string KeyInScope = "owner's key for this assistant";
    public const string KeyOutOfScope = "owner's key for another assistant";
    public const string OtherUsersKey = "another user's key";

    public static readonly string[] All = [Anonymous, Owner, OtherUser, KeyInScope, KeyOutOfScope, OtherUsersKey];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Platform, Task<Callers>> Built = new();

    private readonly Dictionary<string, HttpClient> _clients = [];

    public string AssistantId { get; private set; } = "";
    public string OtherAssistantId { get; private set; } = "";
    public string StrangersAssistantId { get; private set; } = "";

    public HttpClient this[string caller] => _clients[caller];

    public static Task<Callers> ForAsync(Platform platform) => Built.GetValue(platform, CreateAsync);

    private static async Task<Callers> CreateAsync(Platform platform)
    {
        var callers = new Callers();
        var (owner, _) = await platform.NewUserAsync("owner");
        var (stranger, _) = await platform.NewUserAsync("stranger");
        callers.AssistantId = await NewAssistantAsync(owner, "Scoped");
        callers.OtherAssistantId = await NewAssistantAsync(owner, "Private");
        callers.StrangersAssistantId = await NewAssistantAsync(stranger, "Stranger's");
        callers._clients[Anonymous] = platform.Anonymous();
        callers._clients[Owner] = owner;
        callers._clients[OtherUser] = stranger;
        callers._clients[KeyInScope] = await KeyClientAsync(platform, owner, callers.AssistantId);
        callers._clients[KeyOutOfScope] = await KeyClientAsync(platform, owner, callers.OtherAssistantId);
        callers._clients[OtherUsersKey] = await KeyClientAsync(platform, stranger, callers.StrangersAssistantId);
        return callers;
    }

    public static async Task<string> NewAssistantAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync("/v1/assistants",
            new { model = "gpt-4o-mini", name, instructions = "Employees get 27 vacation days per year." });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<HttpClient> KeyClientAsync(Platform platform, HttpClient owner, string assistantId)
    {
        using var response = await owner.PostAsJsonAsync("/api/keys", new { name = "matrix", assistants = new[] { assistantId } });
        response.EnsureSuccessStatusCode();
        var secret = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var client = platform.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}
