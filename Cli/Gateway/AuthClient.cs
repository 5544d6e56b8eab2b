using System.Net.Http.Json;

namespace Cli.Gateway;

public sealed record TokenPair(string AccessToken, string TokenType, long ExpiresIn, string RefreshToken)
{
    public StoredSession ToSession(TimeProvider clock) =>
        new(AccessToken, RefreshToken, clock.GetUtcNow().AddSeconds(ExpiresIn));
}

public sealed record UserInfo(string Id, string Name, string Email, long CreatedAt);

/// <summary>/auth: sign in, rotate the session, who am I. Login and refresh go without credentials.</summary>
public sealed class AuthClient(HttpClient anonymous, HttpClient authenticated)
{
    public Task<TokenPair> LoginAsync(string email, string password, CancellationToken cancellationToken) =>
        PostAsync(anonymous, "auth/login", new { email, password }, cancellationToken);

    public Task<TokenPair> RefreshAsync(string refreshToken, CancellationToken cancellationToken) =>
        PostAsync(anonymous, "auth/refresh", new { refresh_token = refreshToken }, cancellationToken);

    public async Task<UserInfo> MeAsync(CancellationToken cancellationToken)
    {
        using var response = await authenticated.GetAsync("auth/me", cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<UserInfo>(Json.Options, cancellationToken))!;
    }

    private static async Task<TokenPair> PostAsync(HttpClient http, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(path, body, Json.Options, cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<TokenPair>(Json.Options, cancellationToken))!;
    }
}
