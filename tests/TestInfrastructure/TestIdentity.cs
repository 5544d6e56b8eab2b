using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;

namespace TestInfrastructure;

/// <summary>Mints the gateway's caller token with a test key, as the gateway would, for tests that call a service directly.</summary>
public static class TestIdentity
{
    public const string SigningKey = "test-signing-key-0123456789abcdef0123456789";

    private static readonly CallerTokenCodec Codec = new(
        Options.Create(new IdentityOptions { SigningKey = SigningKey }), TimeProvider.System);

    public static string Token(string userId, string? keyId = null, IReadOnlyList<string>? assistants = null, int? tpm = null) =>
        Codec.Issue(new CallerIdentity(userId, keyId, assistants, Tpm: tpm));

    /// <summary>Sets the caller header on a client, replacing any earlier one.</summary>
    public static HttpClient ActAs(this HttpClient client, string userId, string? keyId = null, IReadOnlyList<string>? assistants = null, int? tpm = null)
    {
        client.DefaultRequestHeaders.Remove(CallerTokenCodec.HeaderName);
        client.DefaultRequestHeaders.Add(CallerTokenCodec.HeaderName, Token(userId, keyId, assistants, tpm));
        return client;
    }
}
