using System.Net.Http.Json;

namespace Cli.Gateway;

public sealed record TokenPair(string AccessToken, string TokenType, long ExpiresIn, string RefreshToken)
{
    public StoredSession ToSession(TimeProvider clock) =>
        new(AccessToken, RefreshToken, clock.GetUtcNow().AddSeconds(ExpiresIn));
}

public sealed record UserInfo(string Id, string Name, string Email, long CreatedAt);

/// <summary>/auth: sign in, rotate or end the session, who am I. Login, refresh and logout go without credentials.</summary>
public sealed class AuthClient(HttpClient anonymous, HttpClient authenticated)
{
    public Task<TokenPair> LoginAsync(string email, string password, CancellationToken cancellationToken) =>
        PostAsync(anonymous, "auth/login", new { email, password }, cancellationToken);

    public Task<TokenPair> RefreshAsync(string refreshToken, CancellationToken cancellationToken) =>
        PostAsync(anonymous, "auth/refresh", new { refresh_token = refreshToken }, cancellationToken);

    /// <summary>Ends the session on the gateway: its refresh token, and every one rotated from the same login, stop working.</summary>
    public async Task LogoutAsync(string refreshToken, CancellationToken cancellationToken)
    {
        using var response = await anonymous.PostAsJsonAsync("auth/logout", new { refresh_token = refreshToken }, Json.Options, cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task<UserInfo> MeAsync(CancellationToken cancellationToken)
    {
        using var response = await authenticated.GetAsync("auth/me", cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
        return await Json.ReadAsync<UserInfo>(response, authenticated.BaseAddress, cancellationToken);
    }

    private static async Task<TokenPair> PostAsync(HttpClient http, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(path, body, Json.Options, cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
        return await Json.ReadAsync<TokenPair>(response, http.BaseAddress, cancellationToken);
    }
}
