using ServiceDefaults.Access;
using Gateway.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;
using ServiceDefaults.Errors;

namespace Gateway.Auth;

public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string>? Assistants, int? Rpm, int? Tpm);

public sealed record ApiKeyView(string Id, string Name, string Prefix, IReadOnlyList<string>? Assistants, int? Rpm, int? Tpm, long CreatedAt)
{
    public static ApiKeyView From(ApiKey key) =>
        new(key.Id, key.Name, key.Prefix, key.AssistantList, key.Rpm, key.Tpm, key.CreatedAt);
}

/// <summary>The one answer that carries the secret: it is shown once and only its hash is kept.</summary>
public sealed record CreatedApiKey(string Id, string Name, string Key, string Prefix, IReadOnlyList<string>? Assistants, int? Rpm, int? Tpm, long CreatedAt);

public sealed class ApiKeyService(
    GatewayDbContext db, CallerCache cache, TimeProvider time, AssistantAccess access, IOptions<AuthOptions> options)
{
    public const int MaxAssistants = 100;

    public async Task<CreatedApiKey> CreateAsync(GatewayCaller session, CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = DisplayNames.Normalize(request.Name);
        if (name is null)
        {
            errors["name"] = [DisplayNames.Problem];
        }
        if (request.Assistants is { } assistants
            && (assistants.Count is 0 or > MaxAssistants
                || assistants.Any(a => a is null || !AssistantAccess.IsAssistantId(a) || a.Length > 64)))
        {
            errors["assistants"] = [$"Give 1 to {MaxAssistants} assistant ids (asst_...), or leave it out for all your assistants."];
        }
        if (request.Rpm is <= 0)
        {
            errors["rpm"] = ["The rpm limit must be positive."];
        }
        if (request.Tpm is <= 0)
        {
            errors["tpm"] = ["The tpm limit must be positive."];
        }
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
        var most = options.Value.MaxKeysPerUser;
        if (await db.ApiKeys.CountAsync(k => k.UserId == session.UserId && k.RevokedAt == null, cancellationToken).ConfigureAwait(false) >= most)
        {
            throw new ApiException(StatusCodes.Status403Forbidden,
                $"An account holds at most {most} API keys; revoke one it no longer needs first.", "Key limit reached", "key_limit_reached");
        }
        // A key's scope may name only the user's own assistants; another user's is answered as if it did not exist.
        foreach (var assistantId in (request.Assistants ?? []).Distinct(StringComparer.Ordinal))
        {
            await access.EnsureAsync(session.ToIdentity(), assistantId, cancellationToken).ConfigureAwait(false);
        }

        var secret = Secrets.NewApiKey();
        var key = new ApiKey
        {
            Id = Ids.New("key"),
            UserId = session.UserId,
            Name = name!,
            SecretHash = Secrets.HashSecret(secret),
            Prefix = secret[..10],
            Assistants = request.Assistants is null ? null : string.Join(',', request.Assistants.Distinct(StringComparer.Ordinal)),
            Rpm = request.Rpm,
            Tpm = request.Tpm,
            CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(key.Id, key.Name, secret, key.Prefix, key.AssistantList, key.Rpm, key.Tpm, key.CreatedAt);
    }

    /// <summary>The user's keys not revoked, in no particular order: the list route pages them.</summary>
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.UserId == userId && k.RevokedAt == null)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return keys.Select(ApiKeyView.From).ToList();
    }

    public async Task RevokeAsync(string userId, string keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.UserId == userId && k.RevokedAt == null, cancellationToken)
            .ConfigureAwait(false) ?? throw new ApiException(StatusCodes.Status404NotFound, "No such API key.", "Not found");
        key.RevokedAt = now;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        cache.ForgetKey(key.SecretHash);
    }

    /// <summary>
    /// Takes a deleted assistant out of its owner's scoped keys. A key left with no assistant keeps an empty scope
    /// (never null, which would mean "all"), so it reaches nothing. Returns how many keys changed.
    /// </summary>
    public async Task<int> RemoveAssistantAsync(string userId, string assistantId, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.Where(k => k.UserId == userId && k.Assistants != null && k.Assistants.Contains(assistantId))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var changed = keys.Where(k => k.AssistantList!.Contains(assistantId, StringComparer.Ordinal)).ToList();
        foreach (var key in changed)
        {
            key.Assistants = string.Join(',', key.AssistantList!.Where(a => a != assistantId));
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in changed)
        {
            cache.ForgetKey(key.SecretHash);
        }
        return changed.Count;
    }

    /// <summary>The caller a secret (given by its hash) stands for, or null when it is unknown or revoked.</summary>
    public async Task<GatewayCaller?> AuthenticateAsync(string secretHash, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.SecretHash == secretHash && k.RevokedAt == null, cancellationToken).ConfigureAwait(false);
        return key is null ? null : new GatewayCaller(key.UserId, null, key.Id, key.AssistantList, key.Rpm, key.Tpm);
    }
}
