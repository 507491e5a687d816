using System.Security.Cryptography;
using System.Text;

namespace Mote.Gallery.Users;

/// <summary>
/// The one-time token that lets the first visitor create the first Admin when no account exists. It
/// lives only in this process's memory (its SHA-256, never the token itself), so it is never in the
/// database or the repository; a restart with still no users issues a fresh one.
/// </summary>
public sealed class SetupToken
{
    private readonly Lock _gate = new();
    private byte[]? _hash;

    /// <summary>Issues a new random token (256 bits, base64url) and forgets any earlier one.</summary>
    public string Issue()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        lock (_gate)
        {
            _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        }
        return token;
    }

    /// <summary>True while a token is issued and not yet revoked (used, or no longer needed because an account exists).</summary>
    public bool IsActive
    {
        get
        {
            lock (_gate)
            {
                return _hash is not null;
            }
        }
    }

    /// <summary>True when <paramref name="token"/> is the active token (constant-time comparison).</summary>
    public bool Matches(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        var candidate = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        lock (_gate)
        {
            return _hash is not null && CryptographicOperations.FixedTimeEquals(candidate, _hash);
        }
    }

    /// <summary>Makes the token stop working (after it created the first Admin, or once any account exists).</summary>
    public void Revoke()
    {
        lock (_gate)
        {
            _hash = null;
        }
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
