using System.Net.Mail;
using Gateway.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;

namespace Gateway.Auth;

public sealed record TokenPair(string AccessToken, string TokenType, long ExpiresIn, string RefreshToken);

/// <summary>Accounts and sessions: register, log in, and the rotating refresh tokens.</summary>
public sealed class AccountService(
    GatewayDbContext db,
    PasswordHasher passwords,
    AccessTokenService accessTokens,
    CallerCache callers,
    IOptions<AuthOptions> options,
    TimeProvider time)
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 128;

    public async Task<User> RegisterAsync(string? name, string? email, string? password, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        name = DisplayNames.Normalize(name);
        if (name is null)
        {
            errors["name"] = [DisplayNames.Problem];
        }
        var normalizedEmail = NormalizeEmail(email);
        if (normalizedEmail is null)
        {
            errors["email"] = ["The email address is not valid."];
        }
        if (PasswordProblem(password, normalizedEmail) is { } problem)
        {
            errors["password"] = [problem];
        }
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        if (await db.Users.AnyAsync(u => u.Email == normalizedEmail, cancellationToken).ConfigureAwait(false))
        {
            throw new ApiException(StatusCodes.Status409Conflict, "An account with this email already exists.", "Conflict", "email_taken");
        }
        var user = new User
        {
            Id = Ids.New("usr"),
            Name = name!,
            Email = normalizedEmail!,
            PasswordHash = passwords.Hash(password!),
            CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
        };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Two registrations raced past the check above; the unique index let one through.
            throw new ApiException(StatusCodes.Status409Conflict, "An account with this email already exists.", "Conflict", "email_taken");
        }
        return user;
    }

    public async Task<TokenPair> LoginAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        var normalizedEmail = NormalizeEmail(email);
        var user = normalizedEmail is null
            ? null
            : await db.Users.FirstOrDefaultAsync(u => u.Email == normalizedEmail, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            passwords.VerifyNothing(password ?? "");
            throw InvalidCredentials();
        }
        if (password is null || !passwords.Verify(password, user.PasswordHash))
        {
            throw InvalidCredentials();
        }
        return await IssueAsync(user, Ids.New("fam"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uses up a refresh token and issues the next of its family. A token already used (or revoked) revokes the whole
    /// family: either the client or a thief holds a stolen copy, and neither can be told apart.
    /// </summary>
    public async Task<TokenPair> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshToken))
        {
            throw InvalidRefresh();
        }
        var hash = Secrets.HashSecret(refreshToken);
        var stored = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            throw InvalidRefresh();
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (stored.UsedAt is not null || stored.RevokedAt is not null)
        {
            await RevokeFamilyAsync(stored.FamilyId, cancellationToken).ConfigureAwait(false);
            throw InvalidRefresh();
        }
        if (stored.ExpiresAt <= now)
        {
            throw InvalidRefresh();
        }

        // Conditional update: of two concurrent refreshes with one token, exactly one wins; the other is a reuse.
        var claimed = await db.RefreshTokens.Where(t => t.Id == stored.Id && t.UsedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken).ConfigureAwait(false);
        if (claimed == 0)
        {
            await RevokeFamilyAsync(stored.FamilyId, cancellationToken).ConfigureAwait(false);
            throw InvalidRefresh();
        }
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == stored.UserId, cancellationToken).ConfigureAwait(false)
            ?? throw InvalidRefresh();
        return await IssueAsync(user, stored.FamilyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the session the refresh token belongs to: its whole family is revoked, so no token rotated from that login
    /// refreshes again. An unknown or already revoked token changes nothing and is no error, so logout can be repeated
    /// and tells nobody whether a token existed.
    /// </summary>
    public async Task LogoutAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshToken))
        {
            throw new ValidationException(new Dictionary<string, string[]> { ["refresh_token"] = ["The refresh token is required."] });
        }
        var hash = Secrets.HashSecret(refreshToken);
        var familyId = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => t.FamilyId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (familyId is not null)
        {
            await RevokeFamilyAsync(familyId, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<User?> FindAsync(string userId, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);

    /// <summary>
    /// Whether the login session an access token names was ended (logged out, or revoked when a rotated refresh token
    /// came back): its access tokens are refused from then on, not only once they expire.
    /// </summary>
    public Task<bool> SessionEndedAsync(string sessionId, CancellationToken cancellationToken) =>
        db.RefreshTokens.AnyAsync(t => t.FamilyId == sessionId && t.RevokedAt != null, cancellationToken);

    private async Task RevokeFamilyAsync(string familyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await db.RefreshTokens.Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken).ConfigureAwait(false);
        // This instance refuses the session's access tokens at once; other instances once their cache entry lapses.
        callers.ForgetSession(familyId);
    }

    private async Task<TokenPair> IssueAsync(User user, string familyId, CancellationToken cancellationToken)
    {
        var refresh = Secrets.NewRefreshToken();
        var now = time.GetUtcNow();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Ids.New("rt"),
            UserId = user.Id,
            FamilyId = familyId,
            TokenHash = Secrets.HashSecret(refresh),
            CreatedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = now.Add(options.Value.RefreshTokenLifetime).ToUnixTimeSeconds(),
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new TokenPair(accessTokens.Issue(user, familyId), "Bearer", (long)accessTokens.Lifetime.TotalSeconds, refresh);
    }

    internal static string? NormalizeEmail(string? email)
    {
        // Compatibility forms fold into one (a fullwidth "ａ" is an "a"), and invisible characters (a zero-width space)
        // are refused: either would let one address register as several accounts that look the same.
        email = email?.Trim().Normalize(System.Text.NormalizationForm.FormKC);
        if (email is not null && email.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
        {
            return null;
        }
        if (string.IsNullOrEmpty(email) || email.Length > 254 || !MailAddress.TryCreate(email, out var address)
            || address.Address != email || address.DisplayName.Length > 0 || !address.Host.Contains('.', StringComparison.Ordinal)
            || address.Host.StartsWith('.') || address.Host.EndsWith('.'))
        {
            return null;
        }
        return email.ToLowerInvariant();
    }

    private static string? PasswordProblem(string? password, string? email)
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            return $"The password must be {MinPasswordLength} to {MaxPasswordLength} characters long.";
        }
        if (password.Distinct().Count() < 4)
        {
            return "The password must use at least 4 different characters.";
        }
        if (email is not null && email.Split('@')[0] is { Length: >= 3 } local && password.Contains(local, StringComparison.OrdinalIgnoreCase))
        {
            return "The password must not contain the email's name.";
        }
        return null;
    }

    private static ApiException InvalidCredentials() =>
        new(StatusCodes.Status401Unauthorized, "The email or password is wrong.", "Unauthorized", "invalid_credentials");

    private static ApiException InvalidRefresh() =>
        new(StatusCodes.Status401Unauthorized, "The refresh token is invalid, expired or already used.", "Unauthorized", "invalid_refresh_token");
}

/// <summary>Field errors of a request; the API turns it into a ValidationProblem.</summary>
public sealed class ValidationException(IDictionary<string, string[]> errors) : Exception("The request is not valid.")
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}
