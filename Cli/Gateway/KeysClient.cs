using System.Net.Http.Json;

namespace Cli.Gateway;

public sealed record ApiKeyInfo(string Id, string Name, string Prefix, IReadOnlyList<string>? Assistants, int? Rpm, int? Tpm, long CreatedAt);

public sealed record CreatedApiKey(string Id, string Name, string Key, string Prefix, IReadOnlyList<string>? Assistants, int? Rpm, int? Tpm, long CreatedAt);

/// <summary>What `whoami` says of CHATBOT_API_KEY: its prefix (as `keys list` shows it) and the assistants it can use.</summary>
public sealed record KeyIdentity(string Kind, string Prefix, IReadOnlyList<KeyAssistant> Assistants);

public sealed record KeyAssistant(string Id, string? Name);

public sealed record ApiKeyRequest(string? Name, IReadOnlyList<string>? Assistants, int? Rpm, int? Tpm);

/// <summary>/api/keys: API keys of the signed-in user (the secret is shown once, at creation).</summary>
public sealed class KeysClient(HttpClient http)
{
    public async Task<CreatedApiKey> CreateAsync(ApiKeyRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/keys", request, Json.Options, cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
        return await Json.ReadAsync<CreatedApiKey>(response, http.BaseAddress, cancellationToken);
    }

    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken) =>
        http.ReadAllAsync<ApiKeyInfo>("api/keys", cancellationToken);

    public async Task RevokeAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"api/keys/{Uri.EscapeDataString(id)}", cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
    }
}
