using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.ApiKeys;

/// <summary>Creates an API key and returns it once. Needs <see cref="Permission.ManageSettings"/>; one <see cref="AuditEventCode.ApiKeyCreated"/> event.</summary>
public sealed class CreateApiKey(MoteDbContext db, ApiKeySecrets secrets, AuditTrail audit, TimeProvider time)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="name">What the key is for, 1 to 100 characters after trimming.</param>
    /// <param name="scopes">At least one of verify, identify and manage.</param>
    /// <param name="expiresUtc">When it stops working, in the future; null: never.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The key's summary and the full key, which is shown this once.</returns>
    public async Task<CreatedApiKey> ExecuteAsync(Actor actor, string name, ApiKeyScopes scopes, DateTimeOffset? expiresUtc, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 100)
        {
            throw new GalleryException("Give the key a name of 1 to 100 characters (e.g. the door or kiosk that will use it).");
        }
        if (scopes == ApiKeyScopes.None || (scopes & ~(ApiKeyScopes.Verify | ApiKeyScopes.Identify | ApiKeyScopes.Manage)) != 0)
        {
            throw new GalleryException("Choose at least one scope: verify, identify or manage.");
        }
        var now = time.GetUtcNow();
        if (expiresUtc is { } expires && expires <= now)
        {
            throw new GalleryException($"The expiry {expires:yyyy-MM-dd HH:mm} UTC is in the past.");
        }
        var (prefix, key, hash) = secrets.Create();
        var row = new ApiKey
        {
            Id = Guid.NewGuid().ToString(),
            Name = name,
            Prefix = prefix,
            SecretHash = hash,
            Scopes = (int)scopes,
            CreatedUtc = now,
            CreatedBy = actor.Name,
            ExpiresUtc = expiresUtc?.ToUniversalTime(),
        };
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            db.ApiKeys.Add(row);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.AppendAsync(actor, AuditEventCode.ApiKeyCreated, row.Id, $"{name} ({ScopeText.Format(scopes)}), prefix {prefix}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        return new CreatedApiKey(ApiKeySummary.From(row), key);
    }
}

/// <summary>Revokes an API key at once. Needs <see cref="Permission.ManageSettings"/>; one <see cref="AuditEventCode.ApiKeyRevoked"/> event.</summary>
public sealed class RevokeApiKey(MoteDbContext db, AuditTrail audit, TimeProvider time)
{
    /// <summary>Revokes the key with id or public prefix <paramref name="idOrPrefix"/>.</summary>
    public async Task<ApiKeySummary> ExecuteAsync(Actor actor, string idOrPrefix, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == idOrPrefix || k.Prefix == idOrPrefix, ct).ConfigureAwait(false)
                ?? throw new GalleryException($"No API key with id or prefix '{idOrPrefix}'.");
            if (key.RevokedUtc is not null)
            {
                throw new GalleryException($"The key '{key.Name}' ({key.Prefix}) is already revoked.");
            }
            key.RevokedUtc = time.GetUtcNow();
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.AppendAsync(actor, AuditEventCode.ApiKeyRevoked, key.Id, $"{key.Name}, prefix {key.Prefix}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return ApiKeySummary.From(key);
        }
    }
}

/// <summary>Lists API keys, newest first, without secrets. Needs <see cref="Permission.ManageSettings"/>.</summary>
public sealed class ListApiKeys(MoteDbContext db)
{
    /// <summary>Every key, revoked and expired ones included, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeySummary>> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var rows = await db.ApiKeys.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        return rows.OrderByDescending(k => k.CreatedUtc).Select(ApiKeySummary.From).ToArray();
    }
}

/// <summary>
/// Turns a presented key into an <see cref="Actor"/> holding exactly its scopes' permissions, or null
/// when it is unknown, revoked, expired or malformed (the caller answers 401 without saying which).
/// A successful authentication records <see cref="ApiKey.LastUsedUtc"/>, at most once per <see cref="LastUsedResolution"/>
/// per key (no audit event: it is a use, not a change; the decisions it makes are audited themselves).
/// </summary>
public sealed class AuthenticateApiKey(MoteDbContext db, ApiKeySecrets secrets, TimeProvider time)
{
    /// <summary>
    /// How stale "last used" may be: 1 minute. A door controller calling several times a second would otherwise write (and
    /// fsync, with <c>synchronous=FULL</c>) the database on every request, competing with decisions for SQLite's one writer.
    /// </summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The actor for the key <paramref name="presented"/> (the full <c>mote_prefix_secret</c> string): verify grants
    /// <see cref="Permission.Verify"/>, identify <see cref="Permission.Identify"/>, manage <see cref="Permission.ViewGallery"/> and
    /// <see cref="Permission.ManageGallery"/>. Null when the key is absent, malformed, unknown, revoked or expired.
    /// </summary>
    public async Task<Actor?> ExecuteAsync(string? presented, CancellationToken ct = default)
    {
        if (!ApiKeySecrets.TryParse(presented, out var prefix, out var secret))
        {
            return null;
        }
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Prefix == prefix, ct).ConfigureAwait(false);
        var hash = secrets.Hash(secret);
        var now = time.GetUtcNow();
        if (key is null || !CryptographicOperations.FixedTimeEquals(hash, key.SecretHash)
            || key.RevokedUtc is not null || (key.ExpiresUtc is { } e && e <= now))
        {
            return null;
        }
        if (key.LastUsedUtc is not { } last || now - last >= LastUsedResolution)
        {
            // Conditional, so concurrent requests of one key write once per resolution, not once each.
            var stale = now - LastUsedResolution;
            await db.ApiKeys.Where(k => k.Id == key.Id && (k.LastUsedUtc == null || k.LastUsedUtc <= stale))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedUtc, now), ct).ConfigureAwait(false);
        }
        var scopes = (ApiKeyScopes)key.Scopes;
        var granted = new HashSet<Permission>();
        if (scopes.HasFlag(ApiKeyScopes.Verify))
        {
            granted.Add(Permission.Verify);
        }
        if (scopes.HasFlag(ApiKeyScopes.Identify))
        {
            granted.Add(Permission.Identify);
        }
        if (scopes.HasFlag(ApiKeyScopes.Manage))
        {
            granted.Add(Permission.ViewGallery);
            granted.Add(Permission.ManageGallery);
        }
        return new Actor(ActorKind.ApiKey, $"apikey:{key.Id}", $"API key '{key.Name}' ({key.Prefix})", new HashSet<string>(), granted);
    }
}

/// <summary>Scope names as the CLI and the portal write them.</summary>
public static class ScopeText
{
    /// <summary>The scopes as lower-case names joined by commas (e.g. "verify,identify"), or "none"; <see cref="Parse"/> reads it back.</summary>
    public static string Format(ApiKeyScopes scopes) =>
        scopes == ApiKeyScopes.None ? "none" : string.Join(",", Enum.GetValues<ApiKeyScopes>().Where(s => s != ApiKeyScopes.None && scopes.HasFlag(s)).Select(s => s.ToString().ToLowerInvariant()));

    /// <summary>Parses "verify,identify" (case-insensitive); throws <see cref="GalleryException"/> naming an unknown scope.</summary>
    public static ApiKeyScopes Parse(IEnumerable<string> names)
    {
        var result = ApiKeyScopes.None;
        foreach (var raw in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Enum.TryParse<ApiKeyScopes>(raw, ignoreCase: true, out var scope) || scope == ApiKeyScopes.None || !Enum.IsDefined(scope))
            {
                throw new GalleryException($"Unknown scope '{raw}'. Scopes are: verify, identify, manage.");
            }
            result |= scope;
        }
        return result;
    }
}
