namespace Mote.Gallery.ApiKeys;

/// <summary>What an API key may call. Stored as flags; names appear in the CLI and the portal.</summary>
[Flags]
public enum ApiKeyScopes
{
    /// <summary>No scope: the key may call nothing.</summary>
    None = 0,

    /// <summary>1:1 verification (<c>POST /api/v1/verify</c>).</summary>
    Verify = 1,

    /// <summary>1:N identification (<c>POST /api/v1/identify</c>).</summary>
    Identify = 2,

    /// <summary>List, read and enroll people.</summary>
    Manage = 4,
}

/// <summary>
/// An API key as stored: only an HMAC of the secret (keyed with a server key kept outside the database)
/// and a short public prefix for lookup and display. The secret itself is shown once, at creation.
/// </summary>
public sealed class ApiKey
{
    /// <summary>The key's id.</summary>
    public string Id { get; set; } = "";

    /// <summary>A name given at creation, to tell keys apart.</summary>
    public string Name { get; set; } = "";

    /// <summary>The public part of the key (after <c>mote_</c>), unique; identifies the key in lists and logs.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>HMAC of the secret, keyed with the server key; the secret itself is not stored.</summary>
    public byte[] SecretHash { get; set; } = [];

    /// <summary>The <see cref="ApiKeyScopes"/> flags, as stored.</summary>
    public int Scopes { get; set; }

    /// <summary>When the key was created.</summary>
    public DateTimeOffset CreatedUtc { get; set; }

    /// <summary>Who created the key.</summary>
    public string CreatedBy { get; set; } = "";

    /// <summary>When the key stops working, or null for no expiry.</summary>
    public DateTimeOffset? ExpiresUtc { get; set; }

    /// <summary>When the key was revoked, or null while it is not.</summary>
    public DateTimeOffset? RevokedUtc { get; set; }

    /// <summary>
    /// When the key last authenticated successfully, to the minute: written at most once per
    /// <see cref="AuthenticateApiKey.LastUsedResolution"/> per key, so a busy door does not write on every request. Null: never used.
    /// </summary>
    public DateTimeOffset? LastUsedUtc { get; set; }
}

/// <summary>An API key as listed (never with its secret).</summary>
/// <param name="Id">Opaque id.</param>
/// <param name="Name">What the key is for (e.g. the door).</param>
/// <param name="Prefix">The public part of the key.</param>
/// <param name="Scopes">What it may call.</param>
/// <param name="CreatedUtc">When it was created.</param>
/// <param name="CreatedBy">Who created it.</param>
/// <param name="ExpiresUtc">When it stops working; null: never.</param>
/// <param name="RevokedUtc">When it was revoked; null: not revoked.</param>
/// <param name="LastUsedUtc">Its last successful authentication (at most <see cref="AuthenticateApiKey.LastUsedResolution"/> old); null: never used.</param>
public sealed record ApiKeySummary(string Id, string Name, string Prefix, ApiKeyScopes Scopes, DateTimeOffset CreatedUtc, string CreatedBy, DateTimeOffset? ExpiresUtc, DateTimeOffset? RevokedUtc,
    DateTimeOffset? LastUsedUtc = null)
{
    /// <summary>"revoked" once revoked, else "expired" when <see cref="ExpiresUtc"/> is at or before <paramref name="now"/>, else "active": the word the portal and the CLI show.</summary>
    public string Status(DateTimeOffset now) =>
        RevokedUtc is not null ? "revoked" : ExpiresUtc is { } e && e <= now ? "expired" : "active";

    internal static ApiKeySummary From(ApiKey k) =>
        new(k.Id, k.Name, k.Prefix, (ApiKeyScopes)k.Scopes, k.CreatedUtc, k.CreatedBy, k.ExpiresUtc, k.RevokedUtc, k.LastUsedUtc);
}

/// <summary>A newly created key: the summary plus the full key, which is never shown again.</summary>
public sealed record CreatedApiKey(ApiKeySummary Summary, string Key);
