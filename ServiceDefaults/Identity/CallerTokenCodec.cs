using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.Identity;

/// <summary>
/// Mints and checks the short-lived token by which the gateway vouches for a caller: HMAC-SHA256 over the JSON of
/// the identity and its expiry. Clients never see the key, so they cannot forge one.
/// </summary>
public sealed class CallerTokenCodec(IOptions<IdentityOptions> options, TimeProvider time)
{
    public const string HeaderName = "X-Caller-Identity";
    private const string Version = "v1";

    public bool CanSign => options.Value.SigningKey is { Length: > 0 };

    public string Issue(CallerIdentity caller)
    {
        var key = options.Value.SigningKey ?? throw new InvalidOperationException("Identity:SigningKey is not configured.");
        var expires = time.GetUtcNow().Add(options.Value.TokenLifetime).ToUnixTimeSeconds();
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Envelope(caller, expires));
        var body = WebEncoders.Base64UrlEncode(payload);
        return $"{Version}.{body}.{Sign(key, body)}";
    }

    public bool TryRead(string token, out CallerIdentity? caller, out string error)
    {
        caller = null;
        var key = options.Value.SigningKey;
        if (key is not { Length: > 0 })
        {
            error = "this service accepts no caller identity (Identity:SigningKey is not set)";
            return false;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
        {
            error = "malformed caller identity";
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])))
        {
            error = "caller identity signature does not match";
            return false;
        }

        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(WebEncoders.Base64UrlDecode(parts[1]));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            error = "malformed caller identity";
            return false;
        }

        if (envelope?.Caller is not { UserId.Length: > 0 } || envelope.ExpiresAt < time.GetUtcNow().ToUnixTimeSeconds())
        {
            error = "caller identity expired or empty";
            return false;
        }

        caller = envelope.Caller;
        error = "";
        return true;
    }

    private static string Sign(string key, string body) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(body)));

    private sealed record Envelope(
        [property: JsonPropertyName("caller")] CallerIdentity Caller,
        [property: JsonPropertyName("exp")] long ExpiresAt);
}
