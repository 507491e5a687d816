using System.Security.Cryptography;
using System.Text;
using Mote.Gallery.Security;

namespace Mote.Gallery.ApiKeys;

/// <summary>
/// Makes and checks API key strings: <c>mote_&lt;prefix&gt;_&lt;secret&gt;</c> with a 10-character prefix
/// and a 256-bit secret (base64url). Stored is HMAC-SHA256(server key "apikeys", secret): a copy of the
/// database alone cannot confirm a guessed key.
/// </summary>
public sealed class ApiKeySecrets(SecretKeyStore keys)
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>
    /// A new key: a random 10-character prefix (lower-case letters and digits, no look-alikes), the full key string to hand out once,
    /// and the HMAC of its secret part, which is all that is stored.
    /// </summary>
    public (string Prefix, string Key, byte[] Hash) Create()
    {
        var prefix = string.Create(10, 0, (span, _) =>
        {
            Span<byte> random = stackalloc byte[10];
            RandomNumberGenerator.Fill(random);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[random[i] % Alphabet.Length];
            }
        });
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (prefix, $"mote_{prefix}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented key into prefix and secret; false when it is not shaped like one of ours.</summary>
    public static bool TryParse(string? presented, out string prefix, out string secret)
    {
        prefix = secret = "";
        if (string.IsNullOrEmpty(presented) || presented.Length > 200 || !presented.StartsWith("mote_", StringComparison.Ordinal))
        {
            return false;
        }
        var rest = presented.AsSpan(5);
        var split = rest.IndexOf('_');
        if (split != 10 || rest.Length - split - 1 < 40)
        {
            return false;
        }
        prefix = rest[..split].ToString();
        secret = rest[(split + 1)..].ToString();
        return true;
    }

    /// <summary>HMAC-SHA256 of <paramref name="secret"/> (the part after the prefix) under the server key "apikeys", created on first use: the value stored and compared.</summary>
    public byte[] Hash(string secret) => HMACSHA256.HashData(keys.GetOrCreate("apikeys"), Encoding.UTF8.GetBytes(secret));
}
