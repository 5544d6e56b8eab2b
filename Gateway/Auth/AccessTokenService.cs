using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Gateway.Model;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.Identity;

namespace Gateway.Auth;

/// <summary>
/// Issues the short-lived access JWTs (HS256) users present as Bearer tokens, and holds the parameters the JwtBearer
/// handler validates them with, so issuing and checking cannot drift apart.
/// </summary>
public sealed class AccessTokenService
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly SymmetricSecurityKey _key;

    public AccessTokenService(IOptions<AuthOptions> options, IOptions<IdentityOptions> identity, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _key = new SymmetricSecurityKey(SigningKey(_options, identity.Value));
        ValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(5),
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _time.GetUtcNow().UtcDateTime;
                return expires is { } e && e > now.AddSeconds(-5) && (notBefore is null || notBefore <= now.AddSeconds(5));
            },
        };
    }

    public TimeSpan Lifetime => _options.AccessTokenLifetime;

    public TokenValidationParameters ValidationParameters { get; }

    /// <summary>The claim naming the login session (its refresh-token family), so ending the session ends its access tokens too.</summary>
    public const string SessionClaim = "sid";

    public string Issue(User user, string sessionId)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.Add(_options.AccessTokenLifetime),
            Subject = new ClaimsIdentity([
                new Claim(JwtRegisteredClaimNames.Sub, user.Id),
                new Claim(JwtRegisteredClaimNames.Name, user.Name),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim(SessionClaim, sessionId),
            ]),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static byte[] SigningKey(AuthOptions options, IdentityOptions identity)
    {
        if (options.JwtSigningKey is { Length: > 0 } configured)
        {
            return Encoding.UTF8.GetBytes(configured);
        }
        if (identity.SigningKey is { Length: > 0 } shared)
        {
            // A separate key for a separate purpose, derived so that the caller tokens' key is never reused as is.
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(shared), 32, info: "gateway-access-jwt"u8.ToArray());
        }
        return RandomNumberGenerator.GetBytes(32);
    }
}
