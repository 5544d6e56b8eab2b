using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Auth;

/// <summary>Random secrets, and the one-way hash stored in their place.</summary>
public static class Secrets
{
    public const string ApiKeyPrefix = "sk-";

    public static string NewApiKey() => ApiKeyPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string NewRefreshToken() => "rt_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string HashSecret(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
