using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mote.Gallery.Security;

/// <summary>
/// Encrypts biometric data at rest (model-templates, vector templates, person images, kept probe images, explanation
/// crops, authenticator secrets) with AES-256-GCM under a key of the template key ring in the secrets directory
/// (<see cref="SecretKeyStore"/>): key id 1 is the original file <c>templates.key</c>, later ids are
/// <c>templates-&lt;id&gt;.key</c> made by <c>mote keys rotate</c> (docs/decisions/0016). New values use the highest id
/// present. The owner's id and the purpose are bound as associated data, so a blob copied onto another person (or into
/// another column) fails to decrypt instead of silently becoming theirs.
/// Blob layouts: version 1 (key id 1, implied): 1 | nonce (12) | tag (16) | ciphertext;
/// version 2: 2 | key id (4, little-endian) | nonce (12) | tag (16) | ciphertext.
/// Values under key 1 are still written as version 1, so a gallery that never rotated keeps its old format byte for byte.
/// </summary>
public sealed class TemplateProtector(SecretKeyStore keys)
{
    /// <summary>The id of the original key (<c>templates.key</c>), which every version-1 blob uses.</summary>
    public const int OriginalKeyId = 1;

    private const string KeyPrefix = "templates";
    private const byte LegacyVersion = 1;
    private const byte KeyedVersion = 2;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int LegacyHeaderSize = 1 + NonceSize + TagSize;
    private const int KeyedHeaderSize = 1 + 4 + NonceSize + TagSize;

    /// <summary>The secrets-folder key name of key <paramref name="keyId"/> (its file is that name plus <c>.key</c>).</summary>
    public static string KeyName(int keyId) => keyId == OriginalKeyId ? KeyPrefix : $"{KeyPrefix}-{keyId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The key ids whose files are in the secrets folder now, ascending (read from the folder on every call).</summary>
    public IReadOnlyList<int> KeyIds()
    {
        var ids = new List<int>();
        if (!Directory.Exists(keys.Directory))
        {
            return ids;
        }
        foreach (var file in Directory.EnumerateFiles(keys.Directory, $"{KeyPrefix}*.key", SearchOption.TopDirectoryOnly))
        {
            if (ParseKeyFileName(Path.GetFileName(file)) is { } id)
            {
                ids.Add(id);
            }
        }
        ids.Sort();
        return ids;
    }

    /// <summary>
    /// The id new values are encrypted under: the highest in the ring, read from the folder each time so that a running
    /// portal moves to a key <c>mote keys rotate</c> created at once. Creates key 1 on a fresh install.
    /// </summary>
    public int CurrentKeyId()
    {
        var ids = KeyIds();
        if (ids.Count > 0)
        {
            return ids[^1];
        }
        keys.GetOrCreate(KeyName(OriginalKeyId));
        return OriginalKeyId;
    }

    /// <summary>Creates the key after the highest in the ring (race-safe: two callers get the same one) and returns its id.</summary>
    internal int CreateNextKey()
    {
        var next = CurrentKeyId() + 1;
        keys.GetOrCreate(KeyName(next));
        return next;
    }

    /// <summary>The key id a stored blob names (1 for version 1), or null when it is not a blob of a known format.</summary>
    public static int? KeyIdOf(ReadOnlySpan<byte> blob)
    {
        if (blob.Length >= LegacyHeaderSize && blob[0] == LegacyVersion)
        {
            return OriginalKeyId;
        }
        if (blob.Length >= KeyedHeaderSize && blob[0] == KeyedVersion)
        {
            var id = BinaryPrimitives.ReadInt32LittleEndian(blob.Slice(1, 4));
            return id > 0 ? id : null;
        }
        return null;
    }

    /// <summary>Encrypts under the current key (<see cref="CurrentKeyId"/>). Mutates nothing but may create key 1 on first use.</summary>
    public byte[] Protect(string ownerId, string purpose, ReadOnlySpan<byte> plaintext) => Protect(ownerId, purpose, plaintext, CurrentKeyId());

    /// <summary>Encrypts under key <paramref name="keyId"/>, which must be in the ring.</summary>
    internal byte[] Protect(string ownerId, string purpose, ReadOnlySpan<byte> plaintext, int keyId)
    {
        var key = KeyBytes(keyId);
        var legacy = keyId == OriginalKeyId;
        var header = legacy ? LegacyHeaderSize : KeyedHeaderSize;
        var blob = new byte[header + plaintext.Length];
        blob[0] = legacy ? LegacyVersion : KeyedVersion;
        var at = 1;
        if (!legacy)
        {
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(1, 4), keyId);
            at = 5;
        }
        var nonce = blob.AsSpan(at, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(header), blob.AsSpan(at + NonceSize, TagSize), AssociatedData(ownerId, purpose));
        return blob;
    }

    /// <exception cref="TemplateIntegrityException">The blob is damaged, belongs to someone else, or its key is not in the ring.</exception>
    public byte[] Unprotect(string ownerId, string purpose, ReadOnlySpan<byte> blob)
    {
        var keyId = KeyIdOf(blob) ?? throw new TemplateIntegrityException("The stored template is damaged or in an unknown format.");
        var at = blob[0] == LegacyVersion ? 1 : 5;
        var header = at + NonceSize + TagSize;
        var plaintext = new byte[blob.Length - header];
        var key = keys.TryGet(KeyName(keyId)) ?? throw new TemplateIntegrityException(
            $"The stored value is encrypted under template key {keyId}, whose file {KeyName(keyId)}.key is not in the secrets folder (retired or lost): put it back from its retired-<time> folder or a backup.");
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(blob.Slice(at, NonceSize), blob[header..], blob.Slice(at + NonceSize, TagSize), plaintext, AssociatedData(ownerId, purpose));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new TemplateIntegrityException("The stored template does not decrypt for this person: it was altered, copied from another record, or the template key changed.");
        }
        return plaintext;
    }

    /// <summary>The file name's key id (<c>templates.key</c> → 1, <c>templates-7.key</c> → 7), or null for any other file.</summary>
    internal static int? ParseKeyFileName(string fileName)
    {
        if (fileName == $"{KeyPrefix}.key")
        {
            return OriginalKeyId;
        }
        const string prefix = KeyPrefix + "-";
        if (fileName.StartsWith(prefix, StringComparison.Ordinal) && fileName.EndsWith(".key", StringComparison.Ordinal))
        {
            var digits = fileName[prefix.Length..^4];
            if (digits.Length is > 0 and <= 9 && digits.All(char.IsAsciiDigit) && digits[0] != '0'
                && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > OriginalKeyId)
            {
                return id;
            }
        }
        return null;
    }

    private byte[] KeyBytes(int keyId) =>
        keys.TryGet(KeyName(keyId)) ?? (keyId == OriginalKeyId && KeyIds().Count == 0
            ? keys.GetOrCreate(KeyName(OriginalKeyId))
            : throw new GalleryException($"Template key {keyId} is not in the secrets folder; nothing was encrypted."));

    private static byte[] AssociatedData(string ownerId, string purpose)
    {
        var text = Encoding.UTF8.GetBytes($"mote/{purpose}/{ownerId}");
        var ad = new byte[4 + text.Length];
        BinaryPrimitives.WriteInt32LittleEndian(ad, text.Length);
        text.CopyTo(ad, 4);
        return ad;
    }
}
