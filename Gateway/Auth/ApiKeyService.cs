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
        var secretHash = await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId && k.UserId == userId && k.RevokedAt == null)
            .Select(k => k.SecretHash).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Conditional on the key still being live, so of revokes racing exactly one answers it revoked, the rest 404.
        var revoked = secretHash is null ? 0 : await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(k => k.RevokedAt, now), cancellationToken).ConfigureAwait(false);
        if (revoked == 0)
        {
            throw new ApiException(StatusCodes.Status404NotFound, "No such API key.", "Not found");
        }
        cache.ForgetKey(secretHash!);
    }

    /// <summary>
    /// Takes a deleted assistant out of its owner's scoped keys. A key left with no assistant keeps an empty scope
    /// (never null, which would mean "all"), so it reaches nothing. Returns how many keys changed.
    /// </summary>
    public async Task<int> RemoveAssistantAsync(string userId, string assistantId, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId && k.Assistants != null && k.Assistants.Contains(assistantId))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var changed = 0;
        foreach (var found in keys)
        {
            // Each write is conditional on the scope it was computed from: deletes of a key's assistants racing each
            // other once left it naming the ones whose removal the last write did not see. A lost race reads again.
            for (ApiKey? key = found; key?.AssistantList is { } scope && scope.Contains(assistantId, StringComparer.Ordinal);)
            {
                var before = key.Assistants;
                var after = string.Join(',', scope.Where(a => a != assistantId));
                if (await db.ApiKeys.Where(k => k.Id == key.Id && k.Assistants == before)
                    .ExecuteUpdateAsync(u => u.SetProperty(k => k.Assistants, after), cancellationToken).ConfigureAwait(false) == 1)
                {
                    cache.ForgetKey(key.SecretHash);
                    changed++;
                    break;
                }
                key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == key.Id, cancellationToken).ConfigureAwait(false);
            }
        }
        return changed;
    }

    /// <summary>The caller a secret (given by its hash) stands for, or null when it is unknown or revoked.</summary>
    public async Task<GatewayCaller?> AuthenticateAsync(string secretHash, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.SecretHash == secretHash && k.RevokedAt == null, cancellationToken).ConfigureAwait(false);
        return key is null ? null : new GatewayCaller(key.UserId, null, key.Id, key.AssistantList, key.Rpm, key.Tpm);
    }
}
